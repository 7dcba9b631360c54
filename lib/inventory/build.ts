/** From a group tree and vars files to the typed {@link Inventory}: merged variables, connection and become per host. */
import { connectionFromVars, becomeFromVars } from "./connection-spec.js";
import { groupDepths, groupsOfHost, sortGroups } from "./group-order.js";
import { mergeVars } from "./precedence.js";
import { registerSensitiveVars } from "./secret-values.js";
import type { InventoryTree } from "./structure.js";
import type { Inventory, InventoryGroup, InventoryHost, Vars } from "./types.js";
import type { BecomeSpec, ConnectionSpec } from "../core/connection.js";

/** Parameters for {@link buildInventory}. */
export interface BuildInventoryOptions {
  /** Name of the source in messages and in {@link Inventory.source}. */
  readonly source: string;
  /** Directory that relative paths in variables start from. */
  readonly baseDir: string;
  /** Variables from `group_vars/<group>.yml`, by group: one map, or one per source in source order. */
  readonly groupVars?: ReadonlyMap<string, Vars> | readonly ReadonlyMap<string, Vars>[];
  /** Variables from `host_vars/<host>.yml`, by host: one map, or one per source in source order. */
  readonly hostVars?: ReadonlyMap<string, Vars> | readonly ReadonlyMap<string, Vars>[];
}

function layers(maps: ReadonlyMap<string, Vars> | readonly ReadonlyMap<string, Vars>[] | undefined): readonly ReadonlyMap<string, Vars>[] {
  return maps === undefined ? [] : "get" in maps ? [maps as ReadonlyMap<string, Vars>] : (maps as readonly ReadonlyMap<string, Vars>[]);
}

function hostsOfGroup(tree: InventoryTree, name: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(name)) return out;
  seen.add(name);
  const group = tree.groups.get(name);
  for (const host of group?.hosts ?? []) out.add(host);
  for (const child of group?.children ?? []) for (const host of hostsOfGroup(tree, child, seen)) out.add(host);
  return out;
}

/**
 * A host whose connection and become settings are built when first read, so that a host no play
 * selects never needs its settings (an unset `!env` password of another host is not an error).
 */
function hostWithLazySettings(host: { name: string; groups: readonly string[]; vars: Vars }, baseDir: string): InventoryHost {
  const { name, groups, vars } = host;
  let connection: ConnectionSpec | undefined;
  let become: BecomeSpec | undefined;
  return {
    name,
    groups,
    vars,
    get connection() {
      return (connection ??= connectionFromVars(name, vars, { baseDir }));
    },
    get become() {
      return (become ??= becomeFromVars(name, vars));
    },
  };
}

/**
 * Build the inventory; the order of variables is documented on {@link mergeVars}. With several
 * sources, each layer of vars files goes source by source: `group_vars/all` of every source, then
 * the other groups' files source by source, as Ansible's vars plugin does.
 */
export function buildInventory(tree: InventoryTree, options: BuildInventoryOptions): Inventory {
  const depths = groupDepths(tree);
  const inlineVars = (group: string): Vars | undefined => tree.groups.get(group)?.vars;
  const priorityOf = (group: string): number => tree.groups.get(group)?.priority ?? 1;
  const groupFiles = layers(options.groupVars);
  const hostFiles = layers(options.hostVars);
  const hosts = new Map<string, InventoryHost>();
  for (const [name, ownVars] of tree.hosts) {
    const groups = sortGroups(groupsOfHost(tree, name), depths, priorityOf);
    const others = groups.filter((g) => g !== "all");
    const vars = mergeVars(
      ...groups.map(inlineVars),
      ...groupFiles.map((files) => files.get("all")),
      ...groupFiles.flatMap((files) => others.map((g) => files.get(g))),
      ownVars,
      ...hostFiles.map((files) => files.get(name)),
    );
    registerSensitiveVars(vars);
    hosts.set(name, hostWithLazySettings({ name, groups, vars }, options.baseDir));
  }
  const hostOrder = [...tree.hosts.keys()];
  const groups = new Map<string, readonly string[]>();
  const structure = new Map<string, InventoryGroup>();
  for (const name of sortGroups(tree.groups.keys(), depths, priorityOf)) {
    const members = hostsOfGroup(tree, name);
    groups.set(
      name,
      hostOrder.filter((h) => members.has(h)),
    );
  }
  for (const [name, node] of tree.groups) structure.set(name, { hosts: [...node.hosts], children: [...node.children] });
  return { source: options.source, hosts, groups, structure, baseDir: options.baseDir };
}
