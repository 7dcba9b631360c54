/** Inventories built in code, for scripts that run tasks without an inventory file. */
import { buildInventory } from "./build.js";
import { problemsError, type Problem } from "./location.js";
import { inventoryTree } from "./structure.js";
import type { Inventory, Vars } from "./types.js";
import { assertValid } from "./validate.js";

/** Options of {@link inventoryFromHosts}. */
export interface InventoryFromHostsOptions {
  /** Groups with the hosts they list (hosts not in `hosts` are added). */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** Variables of group `all`. */
  readonly vars?: Vars;
  /** Variables of other groups, by group. */
  readonly groupVars?: Readonly<Record<string, Vars>>;
  /** Directory that relative key and known_hosts paths start from (process.cwd()). */
  readonly baseDir?: string;
  /** Name of the inventory in messages ("<memory>"). */
  readonly source?: string;
}

/**
 * Build an inventory from host names and their variables, checked like an inventory file.
 * @example inventoryFromHosts({ web1: { ansible_host: "203.0.113.10" }, web2: null }, { groups: { app: ["web1", "web2"] } })
 */
export function inventoryFromHosts(hosts: Readonly<Record<string, Vars | null>>, options: InventoryFromHostsOptions = {}): Inventory {
  const source = options.source ?? "<memory>";
  const groups = Object.fromEntries(
    Object.entries(options.groups ?? {}).map(([name, members]) => [
      name,
      { hosts: Object.fromEntries(members.map((h) => [h, null])), ...(options.groupVars?.[name] ? { vars: options.groupVars[name] } : {}) },
    ]),
  );
  for (const [name, vars] of Object.entries(options.groupVars ?? {})) groups[name] ??= { hosts: {}, vars };
  const data = { all: { hosts: { ...hosts }, vars: options.vars ?? {}, children: groups } };
  assertValid("inventory", { data, label: source });
  const problems: Problem[] = [];
  const tree = inventoryTree(data, problems);
  if (problems.length) throw problemsError(source, undefined, problems);
  return buildInventory(tree, { source, baseDir: options.baseDir ?? process.cwd() });
}

/**
 * An inventory of one host, for scripts.
 * @example singleHostInventory("web1", { ansible_host: "203.0.113.10", ansible_user: "deploy" })
 */
export function singleHostInventory(name: string, vars: Vars = {}, options: InventoryFromHostsOptions = {}): Inventory {
  return inventoryFromHosts({ [name]: vars }, options);
}
