/** Load an inventory by name (`cfa2` → `inventory/cfa2.yml`) or path, with its `group_vars/` and `host_vars/`. */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { InventoryError } from "../core/errors.js";
import { buildInventory } from "./build.js";
import { readInventoryTree } from "./parse.js";
import type { Inventory } from "./types.js";
import { displayPath, loadVarsDir } from "./vars-files.js";

/** Options of {@link loadInventory}. */
export interface LoadInventoryOptions {
  /** Directory that names and relative paths start from (process.cwd()). */
  readonly cwd?: string;
  /** Environment that `!env` and `lookup('env')` read (process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Whether `nameOrPath` is a path rather than a name under `inventory/`. */
export function isInventoryPath(nameOrPath: string): boolean {
  return /[/\\]/.test(nameOrPath) || /\.(ya?ml|json)$/i.test(nameOrPath);
}

/** The file an inventory name or path refers to; throws an InventoryError listing the names available. */
export async function resolveInventoryFile(nameOrPath: string, cwd: string): Promise<string> {
  if (isInventoryPath(nameOrPath)) {
    const path = resolve(cwd, nameOrPath);
    if (await isFile(path)) return path;
    throw new InventoryError(`Cannot load inventory ${displayPath(path, cwd)}: no such file`);
  }
  const candidates = [".yml", ".yaml"].map((ext) => join(cwd, "inventory", nameOrPath + ext));
  for (const path of candidates) if (await isFile(path)) return path;
  const names = await readdir(join(cwd, "inventory")).catch(() => [] as string[]);
  const available = names.filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, ""));
  const tried = candidates.map((c) => displayPath(c, cwd)).join(" nor ");
  const known = available.length ? `available: ${available.sort().join(", ")}` : "no inventory/*.yml file exists";
  throw new InventoryError(`Cannot load inventory "${nameOrPath}": neither ${tried} exists (${known})`);
}

/**
 * Load and check an inventory: `cfa2` means `<cwd>/inventory/cfa2.yml` (or `.yaml`); anything with
 * a `/` or a `.yml`/`.yaml`/`.json` suffix is a path. `group_vars/` and `host_vars/` beside the file
 * are merged in. Every problem is an InventoryError naming file, line:column and path.
 */
export async function loadInventory(nameOrPath: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const file = await resolveInventoryFile(nameOrPath, cwd);
  const source = displayPath(file, cwd);
  const baseDir = dirname(file);
  const env = options.env ? { env: options.env } : {};
  const tree = readInventoryTree(await readFile(file, "utf8"), source, { baseDir, ...env });
  const groupVars = await loadVarsDir(join(baseDir, "group_vars"), tree.groups.keys(), { cwd, ...env });
  const hostVars = await loadVarsDir(join(baseDir, "host_vars"), tree.hosts.keys(), { cwd, ...env });
  return buildInventory(tree, { source, baseDir, groupVars, hostVars });
}
