import { fileURLToPath } from "node:url";
import path from "node:path";

/** Absolute path of the repository root (this file lives in lib/lab/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Absolute path of the git-ignored lab state directory `.lab/`. */
export const LAB_DIR = path.join(REPO_ROOT, ".lab");

/** Absolute path of the lab cache (debootstrap tarballs, build scratch space). */
export const CACHE_DIR = path.join(LAB_DIR, "cache");

/** Absolute path of the lab's private SSH key (the public half is beside it, `.pub`). */
export const KEY_PATH = path.join(LAB_DIR, "id_ed25519");

/** Absolute path of the known_hosts file holding every lab host's keys. */
export const KNOWN_HOSTS_PATH = path.join(LAB_DIR, "known_hosts");

/** Absolute path of the inventory written for lab `name`. */
export function inventoryPathFor(name: string): string {
  return name === "lab" ? path.join(REPO_ROOT, "inventory", "lab.yml") : path.join(LAB_DIR, name, "inventory.yml");
}
