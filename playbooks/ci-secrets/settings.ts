/**
 * The ci-secrets variables, checked once and turned into one list per repository of what to set:
 * the deploy host, user, private key and pinned known_hosts, under names the CI templates read
 * (examples/ci: BOSUN_SSH_PRIVATE_KEY_B64, BOSUN_SSH_KNOWN_HOSTS) unless renamed.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BosunError } from "../../lib/core/errors.js";
import { validateAgainstSchema } from "../../lib/core/schema.js";
import { Secret, reveal, secret } from "../../lib/core/secrets.js";
import { unsetEnvHint } from "../../lib/core/unset-env.js";
import { resolveUserPath } from "../../lib/inventory/paths.js";
import type { Vars } from "../../lib/inventory/types.js";

/** What each deploy secret is. */
export type DeploySecretRole = "host" | "user" | "private_key" | "known_hosts";
const ROLES: readonly DeploySecretRole[] = ["host", "user", "private_key", "known_hosts"];

/** One secret (GitHub) or variable (GitLab) to set. */
export interface DeploySecret {
  /** Which deploy secret. */
  readonly role: DeploySecretRole;
  /** Its name in the repository. */
  readonly name: string;
  /** The value as the CI job receives it (the key base64-encoded unless `private_key_encoding: text`). */
  readonly value: Secret;
}

/** One repository (GitHub) or project (GitLab) and its deploy secrets. */
export interface CiSecretsTarget {
  /** Where it lives. */
  readonly kind: "github" | "gitlab";
  /** `owner/name` (GitHub), a path or numeric id (GitLab). */
  readonly repo: string;
  /** GitLab only: the environments that see the variables (`*`). */
  readonly environmentScope: string;
  /** GitLab only: protected variables (true). */
  readonly protected: boolean;
  /** What to set, in order. */
  readonly secrets: readonly DeploySecret[];
}

/** Everything the playbook needs. */
export interface CiSecretsSettings {
  /** Repositories and projects. */
  readonly targets: readonly CiSecretsTarget[];
  /** How the private key is stored: base64 on one line (maskable by GitLab), or its text (a GitLab file variable). */
  readonly keyEncoding: "base64" | "text";
  /** GitHub token (needed when a target is on GitHub). */
  readonly githubToken?: Secret;
  /** GitLab token (needed when a target is on GitLab). */
  readonly gitlabToken?: Secret;
  /** GitHub API base, when not api.github.com. */
  readonly githubApi?: string;
  /** GitLab API base, when not gitlab.com/api/v4. */
  readonly gitlabApi?: string;
  /** The controller file of GitHub secret fingerprints. */
  readonly stateFile: string;
}

const text = { type: "string", minLength: 1 };
const value = { anyOf: [text, { type: "object" }] };
const name = { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" };
const names = { type: "object", additionalProperties: false, properties: { host: name, user: name, private_key: name, known_hosts: name } };
const url = { type: "string", pattern: "^https?://\\S+$" };

/** The JSON Schema of the ci-secrets variables (other variables are free). */
export const CI_SECRETS_VARS_SCHEMA = {
  type: "object",
  required: ["ci_secrets"],
  properties: {
    ci_secrets: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        properties: {
          github: { type: "string", pattern: "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$" },
          gitlab: { type: "string", pattern: "^(\\d+|[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+)$" },
          host: value,
          user: value,
          private_key: value,
          private_key_file: text,
          known_hosts: value,
          known_hosts_file: text,
          names,
          environment_scope: text,
          protected: { type: "boolean" },
        },
      },
    },
    ci_secrets_names: names,
    ci_secrets_private_key_encoding: { enum: ["base64", "text"] },
    ci_secrets_github_token: value,
    ci_secrets_gitlab_token: value,
    ci_secrets_github_api: url,
    ci_secrets_gitlab_api: url,
    ci_secrets_state_file: text,
  },
} as const;

/** The default names: the CI templates' (examples/ci) for the key and known_hosts. */
export function defaultNames(encoding: "base64" | "text"): Record<DeploySecretRole, string> {
  return {
    host: "DEPLOY_HOST",
    user: "DEPLOY_USER",
    private_key: encoding === "base64" ? "BOSUN_SSH_PRIVATE_KEY_B64" : "BOSUN_SSH_PRIVATE_KEY",
    known_hosts: "BOSUN_SSH_KNOWN_HOSTS",
  };
}

/** `$XDG_STATE_HOME/bosun/github-secrets.json`, else `~/.local/state/bosun/github-secrets.json`. */
export function defaultStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "bosun", "github-secrets.json");
}

type Entry = Record<string, unknown>;

function fail(message: string, host: string | undefined, hint?: string): BosunError {
  return new BosunError(`Cannot set the CI secrets: ${message}`, { host, hint: hint ?? "see the README section ci-secrets" });
}

function readText(entry: Entry, key: string, where: string, host?: string): string | undefined {
  const inline = entry[key];
  const file = entry[`${key}_file`] as string | undefined;
  if (inline !== undefined && file !== undefined) throw fail(`${where} gives both ${key} and ${key}_file: give one`, host);
  if (inline !== undefined) return reveal(inline as string | Secret);
  if (file === undefined) return undefined;
  try {
    return readFileSync(resolveUserPath(file, process.cwd()), "utf8");
  } catch (error) {
    throw fail(`${where}: cannot read ${key}_file ${file}: ${(error as Error).message}`, host);
  }
}

/** The key as stored: LF line ends, one final newline; base64 of that on one line when asked. */
function privateKeyValue(raw: string, encoding: "base64" | "text", where: string, host?: string): string {
  const key = `${raw.replace(/\r\n/g, "\n").trim()}\n`;
  if (!/^-----BEGIN [A-Z ]*PRIVATE KEY-----\n[\s\S]+\n-----END [A-Z ]*PRIVATE KEY-----\n$/.test(key))
    throw fail(
      `${where}: private_key is not an SSH private key (no BEGIN/END PRIVATE KEY lines)`,
      host,
      "give the private key file, not the .pub",
    );
  return encoding === "base64" ? Buffer.from(key, "utf8").toString("base64") : key;
}

/** known_hosts lines as stored: trimmed, no blank lines or comments, one final newline. */
function knownHostsValue(raw: string, where: string, host?: string): string {
  const lines = raw
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const bad = lines.find((l) => !/^(@[a-z-]+ )?\S+ \S+ [A-Za-z0-9+/]+=*( .*)?$/.test(l));
  if (lines.length === 0 || bad !== undefined)
    throw fail(
      `${where}: known_hosts must be known_hosts lines ("host keytype base64key")${bad === undefined ? "" : `, not ${JSON.stringify(bad.slice(0, 40))}`}`,
      host,
      "ssh-keyscan -H <host> from a trusted machine, checked against the provider's console",
    );
  return `${lines.join("\n")}\n`;
}

function token(vars: Vars, variable: string, envName: string, needed: boolean, host?: string): Secret | undefined {
  const given = vars[variable] as string | Secret | undefined;
  const found = given ?? process.env[envName];
  if (found === undefined || found === "") {
    if (!needed) return undefined;
    throw fail(
      `no token: set ${variable} (e.g. ${variable}: !env ${envName}) or export ${envName}`,
      host,
      `export ${envName}=... (it is masked in all output)`,
    );
  }
  return secret(found);
}

function target(
  entry: Entry,
  index: number,
  shared: { names: Record<DeploySecretRole, string>; encoding: "base64" | "text" },
  host?: string,
): CiSecretsTarget {
  const where = `ci_secrets[${index}]`;
  if ((entry.github === undefined) === (entry.gitlab === undefined))
    throw fail(`${where} must name one of github (owner/name) or gitlab (path or id)`, host);
  const kind = entry.github === undefined ? "gitlab" : "github";
  const repo = (entry.github ?? entry.gitlab) as string;
  const here = `${where} (${repo})`;
  const names = { ...shared.names, ...(entry.names as Partial<Record<DeploySecretRole, string>> | undefined) };
  const values: Partial<Record<DeploySecretRole, string>> = {};
  for (const role of ["host", "user"] as const) {
    const v = entry[role];
    if (v !== undefined) values[role] = reveal(v as string | Secret).trim();
  }
  const key = readText(entry, "private_key", here, host);
  if (key !== undefined) values.private_key = privateKeyValue(key, shared.encoding, here, host);
  const known = readText(entry, "known_hosts", here, host);
  if (known !== undefined) values.known_hosts = knownHostsValue(known, here, host);
  const secrets = ROLES.filter((r) => values[r] !== undefined).map((role) => ({
    role,
    name: names[role],
    value: secret(values[role] as string),
  }));
  if (secrets.length === 0) throw fail(`${here} sets nothing: give host, user, private_key(_file) or known_hosts(_file)`, host);
  return {
    kind,
    repo,
    environmentScope: (entry.environment_scope as string | undefined) ?? "*",
    protected: (entry.protected as boolean | undefined) ?? true,
    secrets,
  };
}

/** The settings for this host's variables; throws a BosunError naming a bad variable. */
export function ciSecretsSettings(vars: Vars, host?: string): CiSecretsSettings {
  const problem = validateAgainstSchema(CI_SECRETS_VARS_SCHEMA, vars);
  if (problem) throw fail(problem.replace(/parameter/g, "variable"), host, unsetEnvHint(problem));
  const v = vars as Record<string, unknown>;
  const encoding = (v.ci_secrets_private_key_encoding as "base64" | "text" | undefined) ?? "base64";
  const shared = { names: { ...defaultNames(encoding), ...(v.ci_secrets_names as object | undefined) }, encoding };
  const targets = (v.ci_secrets as Entry[]).map((e, i) => target(e, i, shared, host));
  const githubToken = token(
    vars,
    "ci_secrets_github_token",
    "GITHUB_TOKEN",
    targets.some((t) => t.kind === "github"),
    host,
  );
  const gitlabToken = token(
    vars,
    "ci_secrets_gitlab_token",
    "GITLAB_TOKEN",
    targets.some((t) => t.kind === "gitlab"),
    host,
  );
  return {
    targets,
    keyEncoding: encoding,
    ...(githubToken ? { githubToken } : {}),
    ...(gitlabToken ? { gitlabToken } : {}),
    ...(v.ci_secrets_github_api ? { githubApi: v.ci_secrets_github_api as string } : {}),
    ...(v.ci_secrets_gitlab_api ? { gitlabApi: v.ci_secrets_gitlab_api as string } : {}),
    stateFile: resolveUserPath((v.ci_secrets_state_file as string | undefined) ?? defaultStateFile(), process.cwd()),
  };
}
