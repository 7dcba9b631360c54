/** The controller's cache directory, where bosun keeps what it remembers between runs (node built-ins only). */
import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** `$BOSUN_CACHE_DIR`, else `$XDG_CACHE_HOME/bosun`, else `~/.cache/bosun`. */
export function bosunCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOSUN_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "bosun");
}

/** Replace `file` in the cache with `value` as JSON (written beside it, then renamed: readers never see half a file; 0600 in a 0700 directory). */
export async function writeCacheFile(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temp, JSON.stringify(value), { mode: 0o600 });
  await rename(temp, file);
}
