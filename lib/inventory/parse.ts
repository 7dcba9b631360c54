/** Inventory text held in memory (YAML or INI, told apart by content) to a typed {@link Inventory}. */
import { dirname, resolve } from "node:path";
import { buildInventory } from "./build.js";
import { addInventoryFile } from "./inventory-file.js";
import { InventoryTreeBuilder } from "./tree-builder.js";
import type { Inventory, Vars } from "./types.js";
import { warnInventory } from "./warnings.js";

/** Options of {@link parseInventory}. */
export interface ParseInventoryOptions {
  /** Directory that relative `!file`, key and known_hosts paths start from (the directory of `source`). */
  readonly baseDir?: string;
  /** Variables from `group_vars/`, by group. */
  readonly groupVars?: ReadonlyMap<string, Vars>;
  /** Variables from `host_vars/`, by host. */
  readonly hostVars?: ReadonlyMap<string, Vars>;
  /** Environment that `!env` and `lookup('env')` read (process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Parse an inventory held in memory: Ansible's YAML format, or its INI format. `source` names it
 * in messages (its extension counts as a file's would); `group_vars/` and `host_vars/` are not read
 * (pass them in `options`, or use loadInventory).
 * @example parseInventory("all:\n  hosts:\n    web1: { ansible_host: 203.0.113.10 }\n", "inline.yml")
 * @example parseInventory("[app]\nweb1 ansible_host=203.0.113.10\n", "hosts.ini")
 */
export function parseInventory(text: string, source: string, options: ParseInventoryOptions = {}): Inventory {
  const baseDir = options.baseDir ?? dirname(resolve(source));
  const b = new InventoryTreeBuilder();
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(message);
    warnInventory(message);
  };
  addInventoryFile(b, text, { label: source, path: source, baseDir, ...(options.env ? { env: options.env } : {}), warn });
  const tree = b.finish();
  for (const message of b.warnings()) warn(message);
  return { ...buildInventory(tree, { source, baseDir, ...options }), warnings };
}
