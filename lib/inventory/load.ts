/** Load an inventory by name (`cfa2` → `inventory/cfa2.yml`) or path, with its `group_vars/` and `host_vars/`. */
import { loadInventorySources, type LoadSourcesOptions } from "./sources.js";
import type { Inventory } from "./types.js";

/** Options of {@link loadInventory}. */
export type LoadInventoryOptions = LoadSourcesOptions;

/**
 * Load and check one inventory source: a file (YAML or INI), a directory, a comma list of hosts,
 * or a name under `inventory/` (`cfa2` means `<cwd>/inventory/cfa2.yml`, `.yaml`, `cfa2`, `.ini`
 * or `.json`, when no file or directory `cfa2` exists in `cwd`). `group_vars/` and `host_vars/`
 * beside it are merged in. Every problem is an InventoryError naming file, line(:column) and path.
 * See {@link loadInventorySources} for several sources.
 */
export async function loadInventory(nameOrPath: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  return loadInventorySources([nameOrPath], options);
}
