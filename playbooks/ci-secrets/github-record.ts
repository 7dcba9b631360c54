/**
 * How ci-secrets decides whether a GitHub secret changed, since GitHub never returns a secret's
 * value: after setting one, bosun records on the controller an HMAC of the value (keyed with a
 * random local key, so the record does not reveal a guessable value) and the secret's
 * `updated_at` as GitHub reports it. A later run sets the secret again only when the value's HMAC
 * differs, the record is missing, or GitHub's `updated_at` moved (someone set it outside bosun).
 */
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { changed, defineTask, unchanged, type TaskHost } from "../../lib/core/task.js";
import { any, nonEmpty, params } from "../../lib/core/params.js";
import { reveal, secret, type Secret } from "../../lib/core/secrets.js";
import { excerpt, jsonRequest, networkError } from "../../lib/tasks/http/request.js";

/** Where records are kept by default: `$BOSUN_CACHE_DIR/ci-secrets`, else `~/.cache/bosun/ci-secrets`. */
export function defaultStateDir(): string {
  return path.join(process.env.BOSUN_CACHE_DIR ?? path.join(os.homedir(), ".cache", "bosun"), "ci-secrets");
}

/** What identifies one GitHub secret and its value. */
export interface GithubSecretRef {
  /** `owner/name`. */
  readonly repo: string;
  /** Secret name. */
  readonly name: string;
  /** The value. */
  readonly value: string | Secret;
  /** Token that may read the secret's metadata. */
  readonly token: string | Secret;
  /** API base (`https://api.github.com`). */
  readonly apiBase?: string;
  /** Directory of the records (see {@link defaultStateDir}). */
  readonly stateDir: string;
}

interface SecretRecord {
  readonly hmac: string;
  readonly updated_at: string;
}

function recordFile(ref: GithubSecretRef): string {
  return path.join(ref.stateDir, "github", ref.repo.replace("/", "__"), `${ref.name}.json`);
}

function hmacOf(ref: GithubSecretRef): string {
  const keyFile = path.join(ref.stateDir, "hmac.key");
  mkdirSync(ref.stateDir, { recursive: true, mode: 0o700 });
  let key: Buffer;
  try {
    key = readFileSync(keyFile);
  } catch {
    key = randomBytes(32);
    writeFileSync(keyFile, key, { mode: 0o600, flag: "wx" });
    key = readFileSync(keyFile); // another host's run may have written it first
  }
  return createHmac("sha256", key)
    .update(`${ref.repo}/${ref.name}\u0000${reveal(ref.value)}`)
    .digest("hex");
}

async function updatedAt(host: TaskHost, ref: GithubSecretRef): Promise<string | undefined> {
  const url = `${(ref.apiBase ?? "https://api.github.com").replace(/\/+$/, "")}/repos/${ref.repo}/actions/secrets/${ref.name}`;
  const headers = { accept: "application/vnd.github+json", authorization: secret(`Bearer ${reveal(ref.token)}`), "user-agent": "bosun" };
  let res;
  try {
    res = await jsonRequest<{ updated_at?: string; message?: string }>(url, { headers, timeoutMs: 30_000 });
  } catch (error) {
    throw host.fail(`Cannot read secret ${ref.name} of ${ref.repo}: ${networkError(error)}`);
  }
  if (res.status === 404) return undefined;
  if (res.status !== 200 || !res.json?.updated_at)
    throw host.fail(`Cannot read secret ${ref.name} of ${ref.repo}: status ${res.status}: ${res.json?.message ?? excerpt(res.body)}`);
  return res.json.updated_at;
}

/** Whether the secret holds the value bosun last set, as far as can be told. */
export interface GithubSecretState {
  /** True: the value's HMAC and GitHub's updated_at match the record. */
  readonly current: boolean;
  /** Why (one line). */
  readonly reason: string;
}

/**
 * Read-only: does the GitHub secret still hold the value bosun last set? (See the module doc.)
 * @example const state = (await host.run(githubSecretState({ repo, name, value, token, stateDir }))).output
 */
export const githubSecretState = defineTask<GithubSecretRef, GithubSecretState>({
  id: "github.secretState",
  description: "Whether a GitHub secret still holds what bosun last set (local HMAC record and GitHub's updated_at).",
  title: (p) => `GitHub secret ${p.name} in ${p.repo}: recorded?`,
  schema: params({ repo: nonEmpty, name: nonEmpty, value: any, token: any, stateDir: nonEmpty }, { apiBase: nonEmpty }),
  async check(host, p) {
    secret(p.value);
    const remote = await updatedAt(host, p);
    let record: SecretRecord | undefined;
    try {
      record = JSON.parse(readFileSync(recordFile(p), "utf8")) as SecretRecord;
    } catch {
      record = undefined;
    }
    const state: GithubSecretState =
      remote === undefined
        ? { current: false, reason: "missing on GitHub" }
        : !record
          ? { current: false, reason: "no record of bosun setting it (GitHub cannot show its value)" }
          : record.hmac !== hmacOf(p)
            ? { current: false, reason: "the value differs from the one bosun set" }
            : record.updated_at !== remote
              ? { current: false, reason: `set outside bosun at ${remote}` }
              : { current: true, reason: `holds the value bosun set at ${remote}` };
    return unchanged(`${p.name} in ${p.repo}: ${state.reason}`, state);
  },
});

/**
 * After setting the secret: record the value's HMAC and GitHub's updated_at on the controller
 * (changed; skipped in check mode, like the set it follows).
 */
export const recordGithubSecret = defineTask<GithubSecretRef>({
  id: "github.secretRecord",
  description: "Record on the controller that bosun set a GitHub secret (HMAC of the value, GitHub's updated_at).",
  title: (p) => `record GitHub secret ${p.name} in ${p.repo}`,
  schema: params({ repo: nonEmpty, name: nonEmpty, value: any, token: any, stateDir: nonEmpty }, { apiBase: nonEmpty }),
  async check(host, p) {
    secret(p.value);
    const file = recordFile(p);
    return changed(
      [
        {
          label: `write ${file}`,
          async run() {
            const remote = await updatedAt(host, p);
            if (!remote) throw host.fail(`Cannot record secret ${p.name} of ${p.repo}: GitHub does not list it after setting it`);
            mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
            writeFileSync(file, `${JSON.stringify({ hmac: hmacOf(p), updated_at: remote } satisfies SecretRecord)}\n`, { mode: 0o600 });
          },
        },
      ],
      { message: `record ${p.name} of ${p.repo} in ${file}` },
    );
  },
});
