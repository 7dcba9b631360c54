/**
 * The group tree of a validated inventory file: which hosts and child groups each group lists,
 * with the variables written inline. Hosts keep the order in which the file first lists them.
 * Like Ansible, every group without a parent becomes a child of `all`, and hosts in no group
 * but `all` are in `ungrouped`.
 */
import type { Vars } from "./types.js";
import { expandHostRange } from "./host-ranges.js";
import type { KeyPath, Problem } from "./location.js";

/** One group as written in the inventory. */
export interface GroupNode {
  /** Group name. */
  readonly name: string;
  /** Inline `vars:` (merged when the group appears in several places). */
  readonly vars: Vars;
  /** Hosts listed directly under `hosts:`. */
  readonly hosts: string[];
  /** Direct child groups. */
  readonly children: string[];
  /** Direct parent groups. */
  readonly parents: string[];
}

/** The inventory file's groups and hosts before variables are merged. */
export interface InventoryTree {
  /** Every group by name, `all` and `ungrouped` included. */
  readonly groups: Map<string, GroupNode>;
  /** Every host with its inline vars, in inventory order. */
  readonly hosts: Map<string, Vars>;
}

type GroupData = { hosts?: Record<string, Vars | null> | null; vars?: Vars | null; children?: Record<string, GroupData | null> | null };

function groupNode(tree: InventoryTree, name: string): GroupNode {
  let node = tree.groups.get(name);
  if (!node) {
    node = { name, vars: {}, hosts: [], children: [], parents: [] };
    tree.groups.set(name, node);
  }
  return node;
}

function isAncestor(tree: InventoryTree, candidate: string, of: string): boolean {
  const parents = tree.groups.get(of)?.parents ?? [];
  return parents.some((p) => p === candidate || isAncestor(tree, candidate, p));
}

function link(tree: InventoryTree, parent: string, child: string, path: KeyPath): Problem | undefined {
  if (parent === child || isAncestor(tree, child, parent)) {
    return {
      path,
      at: "key",
      message: `Cannot make group "${child}" a child of "${parent}": "${child}" is already its parent or ancestor`,
    };
  }
  const p = groupNode(tree, parent);
  const c = groupNode(tree, child);
  if (!p.children.includes(child)) p.children.push(child);
  if (!c.parents.includes(parent)) c.parents.push(parent);
  return undefined;
}

function addHosts(tree: InventoryTree, group: GroupNode, hosts: Record<string, Vars | null>, path: KeyPath, problems: Problem[]): void {
  for (const [key, vars] of Object.entries(hosts)) {
    let names: string[];
    try {
      names = expandHostRange(key);
    } catch (error) {
      problems.push({ path: [...path, key], at: "key", message: (error as Error).message });
      continue;
    }
    for (const name of names) {
      tree.hosts.set(name, { ...tree.hosts.get(name), ...vars });
      if (!group.hosts.includes(name)) group.hosts.push(name);
    }
  }
}

function walk(tree: InventoryTree, name: string, data: GroupData | null, path: KeyPath, problems: Problem[]): void {
  const group = groupNode(tree, name);
  for (const [key, value] of Object.entries(data ?? {})) {
    if (key === "vars") Object.assign(group.vars, value);
    if (key === "hosts") addHosts(tree, group, (value ?? {}) as Record<string, Vars | null>, [...path, key], problems);
    if (key !== "children") continue;
    for (const [child, childData] of Object.entries((value ?? {}) as Record<string, GroupData | null>)) {
      const childPath = [...path, key, child];
      const problem = link(tree, name, child, childPath);
      if (problem) problems.push(problem);
      else walk(tree, child, childData, childPath, problems);
    }
  }
}

/** Build the group tree of validated inventory data; problems (cycles, bad ranges) are collected. */
export function inventoryTree(data: Record<string, GroupData | null>, problems: Problem[]): InventoryTree {
  const tree: InventoryTree = { groups: new Map(), hosts: new Map() };
  groupNode(tree, "all");
  for (const [name, group] of Object.entries(data)) walk(tree, name, group, [name], problems);
  for (const group of tree.groups.values()) {
    if (group.name !== "all" && group.parents.length === 0) link(tree, "all", group.name, []);
  }
  const grouped = new Set([...tree.groups.values()].filter((g) => g.name !== "all").flatMap((g) => g.hosts));
  const ungrouped = groupNode(tree, "ungrouped");
  if (!ungrouped.parents.includes("all")) link(tree, "all", "ungrouped", []);
  for (const host of tree.hosts.keys()) if (!grouped.has(host) && !ungrouped.hosts.includes(host)) ungrouped.hosts.push(host);
  return tree;
}
