/**
 * The compile cache's side that every start reads (lib/cli/playbook-file.ts compiles): where compiled
 * playbooks are kept, what the cache records about each, and whether a compilation is still good.
 * Node built-ins only: a launcher (launch.ts) that finds its playbook here loads nothing else through tsx.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** How playbooks are compiled: a cached compilation of another format is compiled again (raise it when the output changes). */
export const COMPILE_FORMAT = 2;

/** What the cache keeps about one compiled playbook. */
export interface Manifest {
  /** {@link COMPILE_FORMAT} when it was compiled. */
  readonly format: number;
  /** Every local input by absolute path, with the sha256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The compiled entry module. */
  readonly entry: string;
}

export const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

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
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    try {
      if (sha256(readFileSync(file)) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  return existsSync(manifest.entry) ? manifest.entry : undefined;
}
