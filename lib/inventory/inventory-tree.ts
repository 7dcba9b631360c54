/** The group tree of an inventory before variables are merged (built by tree-builder.ts). */
import type { Vars } from "./types.js";

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
