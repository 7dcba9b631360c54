/** The typed inventory the rest of bosun works with. */
import type { BecomeSpec, ConnectionSpec } from "../core/connection.js";

import type { Vars } from "../core/vars.js";

export type { Vars };

/** One host with its merged variables and how to reach it. */
export interface InventoryHost {
  /** The inventory name (`cfa2`). */
  readonly name: string;
  /** Groups this host belongs to, directly or through parents (always includes `all`). */
  readonly groups: readonly string[];
  /** Variables merged by precedence: all < parent group < child group < host. */
  readonly vars: Vars;
  /** How to connect. */
  readonly connection: ConnectionSpec;
  /** Whether and how to use sudo. */
  readonly become: BecomeSpec;
}

/** One group as the inventory declares it, for Ansible's host order in patterns (`group[0]`). */
export interface InventoryGroup {
  /** Hosts listed in the group itself, in the order first listed. */
  readonly hosts: readonly string[];
  /** Child groups, in the order added. */
  readonly children: readonly string[];
}

/** A loaded, validated inventory. */
export interface Inventory {
  /** The sources it came from, joined by ", " (or "<memory>"). */
  readonly source: string;
  /** Every host by name. */
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  /** Every group name with its host names (directly or through children), in inventory order. */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Every group's own hosts and children (absent in inventories built by hand). */
  readonly structure?: ReadonlyMap<string, InventoryGroup>;
  /** Each source as given (`inventory/hosts`, `web1,web2,`), when loaded from sources. */
  readonly sources?: readonly string[];
  /** Directory that relative paths in variables start from (the first file's or directory's). */
  readonly baseDir?: string;
  /** Ansible's warnings given while loading (also sent to the warning sink). */
  readonly warnings?: readonly string[];
}
