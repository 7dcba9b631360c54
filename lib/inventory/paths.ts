/** Paths written in inventories: `~` expands to the home directory, relative paths start at a base directory. */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Resolve `path` like a shell user would expect: `~` and `~/x` from home, relative from `baseDir`. */
export function resolveUserPath(path: string, baseDir: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
