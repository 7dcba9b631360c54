/** known_hosts: parsing (plain and hashed entries), lookup, fingerprints, and accept-new. */
import { createHash, createHmac } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import path from "node:path";

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** Host patterns, or a hashed `|1|salt|hash` entry. */
  readonly hosts: readonly string[];
  /** Key type such as `ssh-ed25519`. */
  readonly type: string;
  /** Base64 of the key blob. */
  readonly key: string;
  /** `@revoked` entries never match as trusted. */
  readonly revoked: boolean;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parse a known_hosts file's text; malformed lines are skipped like OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0]?.startsWith("@")) {
      if (parts[0] === "@revoked") revoked = true;
      else continue; // @cert-authority entries are not supported
      parts.shift();
    }
    const [hosts, type, key] = parts;
    if (!hosts || !type || !key) continue;
    entries.push({ hosts: hosts.split(","), type, key, revoked });
  }
  return entries;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

function hostMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith("|1|")) {
    const [, , salt, hash] = pattern.split("|");
    if (!salt || !hash) return false;
    const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return digest === hash;
  }
  if (pattern.startsWith("!")) return false;
  return globToRegExp(pattern).test(name);
}

/** The entries that apply to a host name (negated patterns exclude). */
export function entriesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter(
    (e) => e.hosts.some((h) => hostMatches(h, name)) && !e.hosts.some((h) => h.startsWith("!") && globToRegExp(h.slice(1)).test(name)),
  );
}

/** OpenSSH's SHA256 fingerprint of a key blob. */
export function fingerprint(keyBase64: string): string {
  return `SHA256:${createHash("sha256").update(Buffer.from(keyBase64, "base64")).digest("base64").replace(/=+$/, "")}`;
}

/** The key type written inside an SSH public key blob. */
export function keyTypeOf(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString();
}

/** Read a known_hosts file; a missing file is empty. */
export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Append a learned key (accept-new). */
export async function appendKnownHost(file: string, key: { name: string; type: string; keyBase64: string }): Promise<void> {
  const { name, type, keyBase64 } = key;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${name} ${type} ${keyBase64}\n`, { mode: 0o600 });
}
