/** Inventory YAML text to a typed {@link Inventory}, for files and for inventories held in memory. */
import { dirname, resolve } from "node:path";
import { buildInventory } from "./build.js";
import { problemsError, type Problem } from "./location.js";
import { inventoryTree, type InventoryTree } from "./structure.js";
import type { Inventory, Vars } from "./types.js";
import { assertValid } from "./validate.js";
import { parseYamlSource } from "./yaml-source.js";

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

/** Parse and check inventory text into its group tree; every problem names `source`, line:column and path. */
export function readInventoryTree(text: string, source: string, options: ParseInventoryOptions = {}): InventoryTree {
  const baseDir = options.baseDir ?? dirname(resolve(source));
  const parsed = parseYamlSource(text, { label: source, baseDir, ...(options.env ? { env: options.env } : {}) });
  const data = parsed.data ?? {};
  assertValid("inventory", { ...parsed, data });
  const problems: Problem[] = [];
  const tree = inventoryTree(data as Parameters<typeof inventoryTree>[0], problems);
  if (problems.length) throw problemsError(source, parsed.locate, problems);
  return tree;
}

/**
 * Parse inventory YAML (Ansible's YAML inventory format) held in memory. `source` names it in
 * messages; `group_vars/` and `host_vars/` are not read (pass them in `options`, or use loadInventory).
 * @example parseInventory("all:\n  hosts:\n    web1: { ansible_host: 203.0.113.10 }\n", "inline.yml")
 */
export function parseInventory(text: string, source: string, options: ParseInventoryOptions = {}): Inventory {
  const baseDir = options.baseDir ?? dirname(resolve(source));
  const tree = readInventoryTree(text, source, { ...options, baseDir });
  return buildInventory(tree, { source, baseDir, ...options });
}
