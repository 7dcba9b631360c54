/** bosun's version, from its package.json (found above this file, in the repository or the installed package). */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** `bosun 0.1.0 (node v20.20.2)`. */
export function versionText(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "bosun") return `bosun ${pkg.version ?? "unknown"} (node ${process.version})`;
    }
    if (path.dirname(dir) === dir) return `bosun (version unknown) (node ${process.version})`;
  }
}
