/**
 * The group tree of an inventory: which hosts and child groups each group lists, with the
 * variables written inline. Hosts keep the order in which the sources first list them. Like
 * Ansible, every group without a parent becomes a child of `all`, and hosts in no group but `all`
 * are in `ungrouped`.
 */
import type { InventoryTree } from "./inventory-tree.js";
import type { Problem } from "./location.js";
import { InventoryTreeBuilder } from "./tree-builder.js";
import { addYamlGroups, type YamlGroupData } from "./yaml-groups.js";

export type { GroupNode, InventoryTree } from "./inventory-tree.js";

/** Build the group tree of validated YAML inventory data; problems (loops, bad ranges) are collected, warnings dropped. */
export function inventoryTree(data: Record<string, YamlGroupData | null>, problems: Problem[]): InventoryTree {
  const builder = new InventoryTreeBuilder();
  addYamlGroups(builder, data, { problems, warn: () => undefined });
  return builder.finish();
}
