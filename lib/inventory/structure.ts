/**
 * The group tree of an inventory: which hosts and child groups each group lists, with the
 * variables written inline. Hosts keep the order in which the sources first list them. Like
 * Ansible, every group without a parent becomes a child of `all`, and hosts in no group but `all`
 * are in `ungrouped`.
 */
import type { Vars } from "./types.js";
import type { Problem } from "./location.js";
import { InventoryTreeBuilder } from "./tree-builder.js";
import { addYamlGroups, type YamlGroupData } from "./yaml-groups.js";

/** One group as written in the inventory. */
export interface GroupNode {
  /** Group name. */
  readonly name: string;
  /** Inline variables (merged when the group appears in several places). */
  readonly vars: Vars;
  /** Hosts listed directly, in the order first listed. */
  readonly hosts: string[];
  /** Direct child groups, in the order added. */
  readonly children: string[];
  /** Direct parent groups. */
  readonly parents: string[];
  /** `ansible_group_priority` written inline (1 by default): orders groups of equal depth. */
  priority: number;
}

/** The inventory's groups and hosts before variables are merged. */
export interface InventoryTree {
  /** Every group by name, `all` and `ungrouped` included, in the order created. */
  readonly groups: Map<string, GroupNode>;
  /** Every host with its inline vars, in inventory order. */
  readonly hosts: Map<string, Vars>;
}

/** Build the group tree of validated YAML inventory data; problems (loops, bad ranges) are collected, warnings dropped. */
export function inventoryTree(data: Record<string, YamlGroupData | null>, problems: Problem[]): InventoryTree {
  const builder = new InventoryTreeBuilder();
  addYamlGroups(builder, data, { problems, warn: () => undefined });
  return builder.finish();
}
