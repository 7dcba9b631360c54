import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The directory of bosun's package.json above `from` (the repository, or the installed package). */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "bosun") return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, "..", "..");
  }
}

/** Absolute path of the repository root (or of the installed bosun package). */
export const REPO_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** True when bosun runs as a dependency of another project (under node_modules). */
const INSTALLED = REPO_ROOT.split(path.sep).includes("node_modules");

/**
 * Absolute path of the git-ignored lab state directory: `$BOSUN_LAB_DIR`, else `.lab/` in the
 * repository, else (bosun installed as a dependency) `.lab/` in the current directory.
 */
export const LAB_DIR = process.env.BOSUN_LAB_DIR ?? path.join(INSTALLED ? process.cwd() : REPO_ROOT, ".lab");

/** Absolute path of the lab cache (debootstrap tarballs, build scratch space). */
export const CACHE_DIR = path.join(LAB_DIR, "cache");

/** Absolute path of the lab's private SSH key (the public half is beside it, `.pub`). */
export const KEY_PATH = path.join(LAB_DIR, "id_ed25519");

/** Absolute path of the known_hosts file holding every lab host's keys. */
export const KNOWN_HOSTS_PATH = path.join(LAB_DIR, "known_hosts");

/** Absolute path of the inventory written for lab `name`. */
export function inventoryPathFor(name: string): string {
  return name === "lab" && !INSTALLED ? path.join(REPO_ROOT, "inventory", "lab.yml") : path.join(LAB_DIR, name, "inventory.yml");
}
