/**
 * The order in which a host's groups apply their variables, as in Ansible: by depth (`all` is 0,
 * a child is one deeper than its deepest parent), then by `ansible_group_priority` written inline (default 1; in a group_vars file it is an ordinary variable, as in Ansible),
 * then by name.
 */
import type { InventoryTree } from "./structure.js";

/** Depth of every group in the tree. */
export function groupDepths(tree: InventoryTree): Map<string, number> {
  const depths = new Map<string, number>();
  const depth = (name: string): number => {
    const known = depths.get(name);
    if (known !== undefined) return known;
    const parents = tree.groups.get(name)?.parents ?? [];
    const value = parents.length ? Math.max(...parents.map((p) => depth(p) + 1)) : 0;
    depths.set(name, value);
    return value;
  };
  for (const name of tree.groups.keys()) depth(name);
  return depths;
}

/** A host's groups: the ones that list it and all their ancestors. */
export function groupsOfHost(tree: InventoryTree, host: string): Set<string> {
  const out = new Set<string>();
  const add = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const parent of tree.groups.get(name)?.parents ?? []) add(parent);
  };
  for (const group of tree.groups.values()) if (group.hosts.includes(host)) add(group.name);
  add("all");
  return out;
}

/** Sort group names the way Ansible merges their variables (parents before children). */
export function sortGroups(names: Iterable<string>, depths: ReadonlyMap<string, number>, priorityOf: (name: string) => number): string[] {
  const key = (name: string): [number, number] => [depths.get(name) ?? 0, priorityOf(name)];
  return [...names].sort((a, b) => {
    const [da, pa] = key(a);
    const [db, pb] = key(b);
    return da - db || pa - pb || (a < b ? -1 : a > b ? 1 : 0);
  });
}
