/** githubSecret: a GitHub Actions repository secret is set, sealed against the repository's public key. */
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import { taskParams, required, optional, nonEmpty, bool, secretString, type Static } from "../../core/params.js";
import { secret } from "../../core/secrets.js";
import { excerpt, jsonRequest, networkError, type JsonResponse } from "../http/request.js";
import { sealForPublicKey } from "./sealed-box.js";
import { fingerprintKey, fingerprintMatches, newFingerprint, readFingerprint, writeFingerprint } from "./secret-fingerprints.js";

/** What the PUT did. */
export interface GithubSecretOutput {
  /** True when the secret was created, false when an existing one was overwritten. */
  readonly created: boolean;
}

const API_VERSION = "2022-11-28";

function paramsProblem(p: GithubSecretParams): string | undefined {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(p.repo)) return `parameter "repo" must be "owner/name", got ${JSON.stringify(p.repo)}`;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name))
    return `parameter "name" must hold only letters, digits and "_" and not start with a digit, got ${JSON.stringify(p.name)}`;
  if (/^GITHUB_/i.test(p.name)) return `parameter "name" cannot start with GITHUB_ (reserved by GitHub)`;
  if (p.apiBase !== undefined && !/^https?:\/\/\S+$/.test(p.apiBase)) return `parameter "apiBase" must be an http:// or https:// URL`;
  if (p.onlyIfMissing && p.stateFile !== undefined) return `parameters "onlyIfMissing" and "stateFile" exclude each other: give one`;
  return undefined;
}

/** A GitHub REST client for one repository. */
function github(host: TaskHost, p: GithubSecretParams) {
  const base = `${(p.apiBase ?? "https://api.github.com").replace(/\/+$/, "")}/repos/${p.repo}/actions/secrets`;
  const headers = {
    accept: "application/vnd.github+json",
    authorization: secret(`Bearer ${secret(p.token).reveal()}`),
    "x-github-api-version": API_VERSION,
    "user-agent": "bosun",
  };
  return async <T>(method: string, path: string, json?: unknown): Promise<JsonResponse<T>> => {
    try {
      return await jsonRequest<T>(`${base}${path}`, { method, json, headers, timeoutMs: 30_000 });
    } catch (error) {
      throw host.fail(
        `Cannot call the GitHub API (${method} ${path || "/"}): ${networkError(error)}`,
        "check apiBase and that the controller can reach it",
      );
    }
  };
}

function apiFailure(host: TaskHost, what: string, res: JsonResponse<{ message?: string }>) {
  const hint =
    res.status === 401 || res.status === 403 || res.status === 404
      ? "check the token: it needs write access to this repository's Actions secrets"
      : undefined;
  return host.fail(`Cannot ${what}: status ${res.status}: ${res.json?.message ?? excerpt(res.body)}`, hint);
}

/** Parameters for {@link githubSecret}. */
export const githubSecretParams = taskParams({
  repo: required(nonEmpty, "The repository, `owner/name`."),
  name: required(nonEmpty, "The secret's name: letters, digits and `_`, not starting with a digit or `GITHUB_`."),
  value: required(secretString, "The value; sealed on the controller, it never leaves it in clear and is never printed."),
  token: required(secretString, "A token allowed to write the repository's Actions secrets (fine-grained: Secrets read/write)."),
  onlyIfMissing: optional(bool, "Only create the secret when it does not exist; an existing one is left alone (ok)."),
  apiBase: optional(nonEmpty, "API base URL (`https://api.github.com`); point it elsewhere for GitHub Enterprise or tests."),
  stateFile: optional(
    nonEmpty,
    "A file on the controller where the task keeps a salted SHA-256 of each value it set and GitHub's `updated_at` after it; with it, a secret whose value and `updated_at` match is ok (not set again).",
  ),
});
/** Parameters for {@link githubSecret}. */
export type GithubSecretParams = Static<typeof githubSecretParams>;

type Call = ReturnType<typeof github>;
interface SecretMeta {
  readonly updated_at?: string;
  readonly message?: string;
}

/**
 * With a state file: why the secret must be set, or undefined when it holds the value last set from
 * this controller and nobody changed it on GitHub since (its `updated_at` is the one recorded).
 */
async function reasonToSet(host: TaskHost, call: Call, p: GithubSecretParams, file: string): Promise<string | undefined> {
  const res = await call<SecretMeta>("GET", `/${p.name}`);
  if (res.status === 404) return "it does not exist";
  if (res.status !== 200) throw apiFailure(host, `read secret ${p.name} of ${p.repo}`, res);
  let known;
  try {
    known = await readFingerprint(file, fingerprintKey(apiBaseOf(p), p.repo, p.name));
  } catch (error) {
    throw host.fail(
      `Cannot read the secret fingerprints in ${file}: ${networkError(error)}`,
      "delete the file: every secret is then set once more",
    );
  }
  if (!known) return `no fingerprint of it in ${file}: not set from this controller yet`;
  if (!fingerprintMatches(known, secret(p.value).reveal())) return "the value differs from the one last set from this controller";
  if (known.updatedAt !== res.json?.updated_at)
    return `it was changed on GitHub since it was set from this controller (updated_at ${res.json?.updated_at ?? "?"}, recorded ${known.updatedAt})`;
  return undefined;
}

function apiBaseOf(p: GithubSecretParams): string {
  return (p.apiBase ?? "https://api.github.com").replace(/\/+$/, "");
}

/** After the PUT: read `updated_at` and record the value's fingerprint with it. */
async function recordSet(host: TaskHost, call: Call, p: GithubSecretParams, file: string): Promise<void> {
  const res = await call<SecretMeta>("GET", `/${p.name}`);
  if (res.status !== 200 || !res.json?.updated_at) throw apiFailure(host, `read secret ${p.name} of ${p.repo} after setting it`, res);
  try {
    await writeFingerprint(
      file,
      fingerprintKey(apiBaseOf(p), p.repo, p.name),
      newFingerprint(secret(p.value).reveal(), res.json.updated_at),
    );
  } catch (error) {
    throw host.fail(
      `Secret ${p.name} of ${p.repo} was set, but its fingerprint could not be written to ${file}: ${networkError(error)}`,
      "check that the directory is writable; the next run sets the secret again",
    );
  }
}

/**
 * Set a GitHub Actions repository secret: GET the repository's public key, seal the value with
 * libsodium's sealed box (as GitHub requires), PUT `{ encrypted_value, key_id }`. GitHub never
 * returns a secret's value, so whether it already holds this value cannot be read. How change is
 * decided: by default the task reports changed on every run; with `onlyIfMissing` an existing
 * secret is ok and left alone; with `stateFile` the task records, after each PUT, a salted SHA-256
 * of the value and the secret's `updated_at` in that file on the controller, and a later run is ok
 * when the secret exists, the value's digest matches and `updated_at` is unchanged. Limits of
 * `stateFile`: it knows only what this controller (this file) set, so another controller or a lost
 * file sets every secret once more; a change made on GitHub is seen only through `updated_at`
 * (second precision); the digest of a guessable value (a host name) confirms a guess to whoever
 * reads the file (0600). Runs from the controller; the check only reads (also in check mode).
 * @example githubSecret({ repo: "acme/cfa", name: "DEPLOY_SSH_KEY", value: secret(env.DEPLOY_KEY), token: secret(env.GITHUB_TOKEN) })
 * @example githubSecret({ repo: "acme/cfa", name: "REGISTRY_PASSWORD", value: secret(pw), token: secret(env.GITHUB_TOKEN), onlyIfMissing: true })
 * @example githubSecret({ repo: "acme/cfa", name: "DEPLOY_HOST", value: "203.0.113.10", token: secret(env.GITHUB_TOKEN), stateFile: "/home/me/.local/state/bosun/github-secrets.json" })
 */
export const githubSecret = defineTask<GithubSecretParams, GithubSecretOutput>({
  id: "github.secret",
  description:
    "A GitHub Actions repository secret is set (sealed box); changed on every run, unless onlyIfMissing, or stateFile (a fingerprint kept on the controller) says it holds this value.",
  title: (p) => `GitHub secret ${p.name} in ${p.repo}`,
  schema: githubSecretParams,
  validate: paramsProblem,
  async check(host, p) {
    const value = secret(p.value);
    const call = github(host, p);
    if (p.onlyIfMissing) {
      const res = await call<{ message?: string }>("GET", `/${p.name}`);
      if (res.status === 200)
        return unchanged(`secret ${p.name} exists in ${p.repo} (its value cannot be read; onlyIfMissing leaves it)`, { created: false });
      if (res.status !== 404) throw apiFailure(host, `read secret ${p.name} of ${p.repo}`, res);
    }
    const stateFile = p.stateFile;
    const reason = stateFile === undefined ? undefined : await reasonToSet(host, call, p, stateFile);
    if (stateFile !== undefined && reason === undefined)
      return unchanged(`secret ${p.name} in ${p.repo} holds the value last set from this controller (fingerprint and updated_at match)`, {
        created: false,
      });
    const keyRes = await call<{ key_id?: string; key?: string; message?: string }>("GET", "/public-key");
    const key = keyRes.json;
    if (keyRes.status !== 200 || !key?.key || !key.key_id) throw apiFailure(host, `read the Actions public key of ${p.repo}`, keyRes);
    const keyId = key.key_id;
    const publicKey = key.key;
    return changed<GithubSecretOutput>(
      [
        {
          label: `PUT /repos/${p.repo}/actions/secrets/${p.name} (sealed with key ${keyId})`,
          async run() {
            let encrypted: string;
            try {
              encrypted = await sealForPublicKey(value.reveal(), publicKey);
            } catch (error) {
              throw host.fail(`Cannot seal secret ${p.name} with the public key of ${p.repo}: ${networkError(error)}`);
            }
            const res = await call<{ message?: string }>("PUT", `/${p.name}`, { encrypted_value: encrypted, key_id: keyId });
            if (res.status !== 201 && res.status !== 204) throw apiFailure(host, `set secret ${p.name} of ${p.repo}`, res);
            if (stateFile !== undefined) await recordSet(host, call, p, stateFile);
            return { created: res.status === 201 };
          },
        },
      ],
      {
        message:
          reason === undefined
            ? `set secret ${p.name} in ${p.repo} (GitHub never shows secret values, so it is set on every run)`
            : `set secret ${p.name} in ${p.repo}: ${reason}`,
        finish: (results) => {
          const out = results[0] as GithubSecretOutput;
          const why = reason !== undefined && !out.created ? ` (${reason})` : "";
          return { output: out, message: `${out.created ? "created" : "updated"} secret ${p.name} in ${p.repo}${why}` };
        },
      },
    );
  },
});
