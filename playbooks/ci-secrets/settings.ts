/**
 * The variables of the ci-secrets playbook (`ci_secrets`, per host or group) and the values it
 * sets: the host's address and deploy user, the deploy key (base64 on one line: GitLab can mask
 * it, and the CI templates' BOSUN_SSH_PRIVATE_KEY_B64 reads it), and the host's known_hosts lines.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BosunError } from "../../lib/core/errors.js";
import { secret, type Secret } from "../../lib/core/secrets.js";
import type { Vars } from "../../lib/inventory/types.js";
import { entriesFor, knownHostName, parseKnownHosts } from "../../lib/connection/known-hosts.js";

/** The CI variable names, configurable (`ci_secrets.names`); the key and known_hosts ones are what examples/ci reads. */
export const DEFAULT_NAMES = {
  host: "DEPLOY_HOST",
  user: "DEPLOY_USER",
  private_key: "BOSUN_SSH_PRIVATE_KEY_B64",
  known_hosts: "BOSUN_SSH_KNOWN_HOSTS",
} as const;

/** Which value a variable carries. */
export type SecretKind = keyof typeof DEFAULT_NAMES;

/** One value to set, under its configured name. */
export interface CiValue {
  /** Which value. */
  readonly kind: SecretKind;
  /** Its variable name. */
  readonly name: string;
  /** The value (the key as a Secret). */
  readonly value: string | Secret;
}

/** What ci-secrets sets for one host. */
export interface CiSecretsSettings {
  /** GitHub repository and token, when set. */
  readonly github?: { readonly repo: string; readonly token: string | Secret; readonly apiBase?: string };
  /** GitLab project and token, when set. */
  readonly gitlab?: {
    readonly project: string;
    readonly token: string | Secret;
    readonly apiBase?: string;
    readonly environmentScope?: string;
  };
  /** The values, in order: host, user, private key, known_hosts. */
  readonly values: readonly CiValue[];
  /** The controller file where githubSecret keeps what it set (its `stateFile`). */
  readonly stateFile: string;
}

type Raw = Record<string, unknown>;

function home(p: string): string {
  return p === "~" ? os.homedir() : p.startsWith("~/") ? path.join(os.homedir(), p.slice(2)) : path.resolve(p);
}

/** `$BOSUN_CACHE_DIR/ci-secrets/github-secrets.json`, else under `~/.cache/bosun`. */
export function defaultStateFile(): string {
  return path.join(process.env.BOSUN_CACHE_DIR ?? path.join(os.homedir(), ".cache", "bosun"), "ci-secrets", "github-secrets.json");
}

function knownHostsLines(vars: Raw, host: string, address: string): string {
  const file = home((vars.bosun_known_hosts as string | undefined) ?? "~/.ssh/known_hosts");
  const port = Number(vars.ansible_port ?? 22);
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    text = "";
  }
  const name = knownHostName(address, port);
  const lines = entriesFor(parseKnownHosts(text), name).filter((e) => !e.revoked);
  if (!lines.length)
    throw new BosunError(`Cannot set the CI's known_hosts for ${name}: ${file} has no key for it`, {
      host,
      hint: "set ci_secrets.known_hosts to the host's lines (ssh-keyscan checked against the provider's console), or connect once with bosun first",
    });
  return `${lines.map((e) => `${e.hosts.join(",")} ${e.type} ${e.key}`).join("\n")}\n`;
}

/** Read `ci_secrets` of a host; undefined when it has none. Throws a BosunError naming the variable. */
export function ciSecretsSettings(vars: Vars, host: string): CiSecretsSettings | undefined {
  const c = (vars as Raw).ci_secrets as Raw | undefined;
  if (c === undefined) return undefined;
  const fail = (message: string, hint: string) => new BosunError(`Cannot set CI secrets: ${message}`, { host, hint });
  const gh = c.github as Raw | undefined;
  const gl = c.gitlab as Raw | undefined;
  if (!gh && !gl) throw fail("ci_secrets has neither github nor gitlab", "add github: { repo, token } or gitlab: { project, token }");
  if (gh && (typeof gh.repo !== "string" || gh.token === undefined))
    throw fail("ci_secrets.github needs repo (owner/name) and token", "token: !env GITHUB_TOKEN (Secrets: read and write)");
  if (gl && ((typeof gl.project !== "string" && typeof gl.project !== "number") || gl.token === undefined))
    throw fail("ci_secrets.gitlab needs project (id or group/name) and token", "token: !env GITLAB_TOKEN (Maintainer, api scope)");
  if (typeof c.private_key_file !== "string")
    throw fail("ci_secrets.private_key_file is not set", "the deploy key's file on this controller");
  let key: string;
  try {
    key = readFileSync(home(c.private_key_file), "utf8");
  } catch (error) {
    throw fail(
      `cannot read ci_secrets.private_key_file ${c.private_key_file}: ${(error as Error).message}`,
      "the deploy key's file on this controller",
    );
  }
  const v = vars as Raw;
  const address = String(v.ansible_host ?? host);
  const names = { ...DEFAULT_NAMES, ...((c.names as Raw | undefined) ?? {}) } as Record<SecretKind, string>;
  const values: CiValue[] = [
    { kind: "host", name: names.host, value: address },
    { kind: "user", name: names.user, value: String(v.deploy_user ?? v.ansible_user ?? "deploy") },
    { kind: "private_key", name: names.private_key, value: secret(Buffer.from(key).toString("base64")) },
    {
      kind: "known_hosts",
      name: names.known_hosts,
      value: typeof c.known_hosts === "string" ? c.known_hosts : knownHostsLines(v, host, address),
    },
  ];
  return {
    ...(gh
      ? {
          github: {
            repo: gh.repo as string,
            token: gh.token as string | Secret,
            ...(gh.api_base ? { apiBase: gh.api_base as string } : {}),
          },
        }
      : {}),
    ...(gl
      ? {
          gitlab: {
            project: String(gl.project),
            token: gl.token as string | Secret,
            ...(gl.api_base ? { apiBase: gl.api_base as string } : {}),
            ...(gl.environment_scope ? { environmentScope: gl.environment_scope as string } : {}),
          },
        }
      : {}),
    values,
    stateFile: typeof c.state_file === "string" ? home(c.state_file) : defaultStateFile(),
  };
}
