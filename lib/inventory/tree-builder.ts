/**
 * Builds one {@link InventoryTree} from any number of sources (YAML, INI, host lists), the way
 * Ansible's InventoryData does: `all` and `ungrouped` exist from the start, a group or host is
 * created on first mention and keeps its place, later variables replace earlier ones, a port
 * written as `host:port` sets `ansible_port` when the host is first seen, and `finish()` puts every
 * parentless group under `all` and every host of no group in `ungrouped`.
 */
import type { GroupNode, InventoryTree } from "./inventory-tree.js";
import type { Vars } from "./types.js";

/** Ansible's rule for names usable as variables: a group named otherwise gets a warning. */
const INVALID_GROUP_NAME = /^[\d\W]|[^\w]/u;

/** Collects a tree; throws a plain Error (the caller adds file and line) on a dependency loop. */
export class InventoryTreeBuilder {
  /** The tree so far. */
  readonly tree: InventoryTree = { groups: new Map(), hosts: new Map() };
  /** Group names that Ansible would warn about (dashes, dots, a leading digit...). */
  readonly oddGroupNames = new Set<string>();

  constructor() {
    this.addGroup("all");
    this.addGroup("ungrouped");
    this.addChild("all", "ungrouped");
  }

  /** The group `name`, created when new. */
  addGroup(name: string): GroupNode {
    let node = this.tree.groups.get(name);
    if (!node) {
      node = { name, vars: {}, hosts: [], children: [], parents: [], priority: 1 };
      this.tree.groups.set(name, node);
      if (INVALID_GROUP_NAME.test(name)) this.oddGroupNames.add(name);
    }
    return node;
  }

  /** Whether `name` is an ancestor of group `of`. */
  private isAncestor(name: string, of: string): boolean {
    const parents = this.tree.groups.get(of)?.parents ?? [];
    return parents.some((p) => p === name || this.isAncestor(name, p));
  }

  /** Make `child` a child group of `parent` (both created when new). */
  addChild(parent: string, child: string): void {
    if (parent === child || this.isAncestor(child, parent)) {
      throw new Error(`Adding group '${child}' as child to '${parent}' creates a recursive dependency loop.`);
    }
    const p = this.addGroup(parent);
    const c = this.addGroup(child);
    if (!p.children.includes(child)) p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
  }

  /** Add host `name` to `group` with its variables; `port` applies only when the host is new. */
  addHost(group: string, { name, vars = {}, port }: { name: string; vars?: Vars; port?: number | undefined }): void {
    if (!name) throw new Error("Invalid empty host name provided");
    let own = this.tree.hosts.get(name);
    if (!own) {
      own = port ? { ansible_port: port } : {};
      this.tree.hosts.set(name, own);
    }
    Object.assign(own, vars);
    const node = this.addGroup(group);
    if (!node.hosts.includes(name)) node.hosts.push(name);
  }

  /** Set one variable of a group; `ansible_group_priority` sets the priority instead, as in Ansible. */
  setGroupVar(group: string, key: string, value: unknown): void {
    const node = this.addGroup(group);
    if (key === "ansible_group_priority") {
      const priority = Number(value);
      if (!Number.isInteger(priority))
        throw new Error(`ansible_group_priority of group "${group}" must be an integer, got ${JSON.stringify(value)}`);
      node.priority = priority;
    } else node.vars[key] = value;
  }

  /** Reconcile as Ansible does after each source and return the tree. */
  finish(): InventoryTree {
    for (const group of this.tree.groups.values()) {
      if (group.name !== "all" && group.parents.length === 0) this.addChild("all", group.name);
    }
    const ungrouped = this.tree.groups.get("ungrouped")!;
    const grouped = new Set<string>();
    for (const group of this.tree.groups.values()) {
      if (group.name !== "all" && group.name !== "ungrouped") for (const host of group.hosts) grouped.add(host);
    }
    for (const host of this.tree.hosts.keys()) {
      if (grouped.has(host)) {
        const at = ungrouped.hosts.indexOf(host);
        if (at >= 0) ungrouped.hosts.splice(at, 1);
      } else if (!ungrouped.hosts.includes(host)) ungrouped.hosts.push(host);
    }
    return this.tree;
  }

  /** Warnings Ansible gives for this tree: odd group names, a host and a group of the same name. */
  warnings(): string[] {
    const out: string[] = [];
    if (this.oddGroupNames.size) {
      out.push(`Invalid characters were found in group names but not replaced: ${[...this.oddGroupNames].join(", ")}`);
    }
    for (const name of this.tree.hosts.keys())
      if (this.tree.groups.has(name)) out.push(`Found both group and host with same name: ${name}`);
    return out;
  }
}
