/**
 * A host's settings for one play, computed once: its variables (inventory, play vars, `-e`) and
 * how to reach it and become root, derived from those variables. Like Ansible, play vars and `-e`
 * may change how a host is reached (`vars: { ansible_user: "deploy" }`).
 */
import path from "node:path";
import type { BecomeSpec, ConnectionSpec } from "../core/connection.js";
import type { Vars } from "../core/vars.js";
import type { Inventory } from "../inventory/types.js";
import { becomeFromVars, connectionFromVars, hostVarsWith } from "../inventory/index.js";
import { BosunError } from "../core/errors.js";

/** What a run and a play add around the inventory. */
export interface PlayLayers {
  /** Defaults below the inventory: ansible-playbook's `-u`, `-b`, `--private-key` ... */
  readonly defaultVars?: Vars;
  /** The play's vars. */
  readonly playVars?: Vars;
  /** `-e` vars: above everything. */
  readonly extraVars?: Vars;
}

/** Everything the runner needs to run one play on one host. */
export interface HostSettings {
  /** The host's variables for the play. */
  readonly vars: Vars;
  /** How to reach it. */
  readonly connection: ConnectionSpec;
  /** How to become root. */
  readonly become: BecomeSpec;
}

/** The settings of `name` for a play. Throws (naming the host and the variable) when a setting is unusable. */
export function hostSettings(inventory: Inventory, name: string, layers: PlayLayers = {}): HostSettings {
  const spec = inventory.hosts.get(name);
  if (!spec) throw new BosunError(`Cannot run on ${name}: not in the inventory`);
  const vars = hostVarsWith(spec, { roleDefaults: layers.defaultVars, playVars: layers.playVars, extraVars: layers.extraVars });
  const overrides = Object.keys({ ...layers.defaultVars, ...layers.playVars, ...layers.extraVars }).some((k) =>
    /^(ansible|bosun)_/.test(k),
  );
  if (!overrides) return { vars, connection: spec.connection, become: spec.become };
  const baseDir = inventory.baseDir ?? path.dirname(path.resolve(inventory.source));
  return { vars, connection: connectionFromVars(name, vars, { baseDir }), become: becomeFromVars(name, vars) };
}

/** A key that is equal for two connection specs exactly when one connection can serve both. */
export function connectionKey(name: string, spec: ConnectionSpec): string {
  return `${name}\u0000${JSON.stringify(spec)}`;
}
