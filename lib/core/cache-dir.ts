/** The controller's cache directory, where bosun keeps what it remembers between runs (node built-ins only). */
import os from "node:os";
import path from "node:path";

/** `$BOSUN_CACHE_DIR`, else `$XDG_CACHE_HOME/bosun`, else `~/.cache/bosun`. */
export function bosunCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOSUN_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "bosun");
}
