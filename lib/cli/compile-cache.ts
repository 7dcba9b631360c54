/**
 * The compile cache's side that every start reads (lib/cli/playbook-file.ts compiles): where compiled
 * playbooks are kept, what the cache records about each, and whether a compilation is still good.
 * Node built-ins only: a launcher (launch.ts) that finds its playbook here loads nothing else through tsx.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, type Stats } from "node:fs";
import path from "node:path";

/** How playbooks are compiled: a cached compilation of another format is compiled again (raise it when the output changes). */
export const COMPILE_FORMAT = 3;

/** What the cache keeps about one compiled playbook. */
export interface Manifest {
  /** {@link COMPILE_FORMAT} when it was compiled. */
  readonly format: number;
  /** Every local input by absolute path, with the sha256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
  /**
   * The {@link statStamp} of inputs that had not changed for a while when they were hashed: a file
   * whose stamp is the same is taken as unchanged without reading it (as git's index does); any
   * other input is hashed.
   */
  readonly stamps?: Readonly<Record<string, string>>;
  /** The compiled entry module. */
  readonly entry: string;
}

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** A file's size, times and inode: any write changes it, unless it lands in the same clock tick as the one before. */
export const statStamp = (stats: Stats): string => `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;

/**
 * How long a file must have been left alone for its stamp to be recorded: a write in the same
 * (coarse, a few milliseconds) clock tick as the recorded one would keep the stamp, so a file
 * changed this recently is hashed at every start instead, as git treats "racily clean" files.
 */
export const SETTLED_MS = 2000;

/** The stamp of a file not changed within {@link SETTLED_MS} of `now`, else undefined. */
export function settledStamp(stats: Stats, now = Date.now()): string | undefined {
  return Math.max(stats.mtimeMs, stats.ctimeMs) <= now - SETTLED_MS ? statStamp(stats) : undefined;
}

/** Whether `file` still has the content the manifest recorded: same stamp, else same sha256. */
function unchanged(file: string, hash: string, stamp: string | undefined): boolean {
  try {
    if (stamp !== undefined && statStamp(statSync(file)) === stamp) return true;
    return sha256(readFileSync(file)) === hash;
  } catch {
    return false;
  }
}

/** Where compiled playbooks are kept: `node_modules/.cache/bosun/compiled` above the playbook (so packages resolve), else beside it. */
export function compileCacheDir(playbook: string): string {
  for (let dir = path.dirname(playbook); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "bosun", "compiled");
    if (path.dirname(dir) === dir) return path.join(path.dirname(playbook), ".bosun-cache", "compiled");
  }
}

/** The cached entry module of `playbook` when every input is unchanged, else undefined. */
export function cachedPlaybook(playbook: string, cacheDir: string): string | undefined {
  const manifestFile = path.join(cacheDir, `${sha256(playbook).slice(0, 16)}.json`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== COMPILE_FORMAT) return undefined;
  for (const [file, hash] of Object.entries(manifest.inputs)) if (!unchanged(file, hash, manifest.stamps?.[file])) return undefined;
  return existsSync(manifest.entry) ? manifest.entry : undefined;
}
