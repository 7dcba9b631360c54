/**
 * What githubSecret remembers of the secrets it set, because GitHub never returns a secret's value:
 * per API, repository and name, a salted SHA-256 of the value and the `updated_at` GitHub reported
 * right after the PUT. A JSON file on the controller (mode 0600 in a 0700 directory), written to a
 * temp file and renamed into place. It holds no value and no token; a lost file only means every
 * secret is set once more.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** One secret as it was last set from this controller. */
export interface SecretFingerprint {
  /** Random salt, hex (so equal values of two secrets have different digests). */
  readonly salt: string;
  /** SHA-256 of salt and value, hex. */
  readonly sha256: string;
  /** GitHub's `updated_at` of the secret, read right after it was set. */
  readonly updatedAt: string;
}

interface FingerprintFile {
  readonly version: 1;
  readonly secrets: Record<string, SecretFingerprint>;
}

/** The key of a secret in the file: API base, repository and name. */
export function fingerprintKey(apiBase: string, repo: string, name: string): string {
  return `${apiBase} ${repo} ${name.toUpperCase()}`;
}

function digest(salt: string, value: string): Buffer {
  return createHash("sha256").update(Buffer.from(salt, "hex")).update(value, "utf8").digest();
}

/** A fingerprint of `value` as set at `updatedAt`, with a fresh salt. */
export function newFingerprint(value: string, updatedAt: string): SecretFingerprint {
  const salt = randomBytes(16).toString("hex");
  return { salt, sha256: digest(salt, value).toString("hex"), updatedAt };
}

/** True when `value` is the value the fingerprint was made of. */
export function fingerprintMatches(fingerprint: SecretFingerprint, value: string): boolean {
  const want = Buffer.from(fingerprint.sha256, "hex");
  const got = digest(fingerprint.salt, value);
  return want.length === got.length && timingSafeEqual(want, got);
}

async function readAll(file: string): Promise<FingerprintFile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, secrets: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<FingerprintFile>;
  if (parsed.version !== 1 || typeof parsed.secrets !== "object" || parsed.secrets === null)
    throw new Error(`${file} is not a bosun secret fingerprint file (version 1)`);
  return parsed as FingerprintFile;
}

/** The fingerprint recorded under `key`, or undefined (no file, or never set from here). */
export async function readFingerprint(file: string, key: string): Promise<SecretFingerprint | undefined> {
  return (await readAll(file)).secrets[key];
}

// Writes to one file are chained, so that tasks of one run never lose each other's entries.
const writing = new Map<string, Promise<unknown>>();

/** Record `fingerprint` under `key` (read, update, write to a temp file, rename). */
export function writeFingerprint(file: string, key: string, fingerprint: SecretFingerprint): Promise<void> {
  const previous = writing.get(file) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(async () => {
      const all = await readAll(file);
      const updated: FingerprintFile = { version: 1, secrets: { ...all.secrets, [key]: fingerprint } };
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
      await writeFile(temp, `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, file);
    });
  writing.set(file, next);
  return next;
}
