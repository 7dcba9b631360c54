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

/** A loaded, validated inventory. */
export interface Inventory {
  /** The file it came from (or "<memory>"). */
  readonly source: string;
  /** Every host by name. */
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  /** Every group name with its host names (directly or through children). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
}
