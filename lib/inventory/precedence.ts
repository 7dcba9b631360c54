/** Variable precedence: how the layers of variables of a host combine into the values a play sees. */
import type { InventoryHost, Vars } from "./types.js";

/**
 * Merge layers of variables, later layers winning. The merge is shallow, like Ansible's default
 * `hash_behaviour=replace`: a mapping in a later layer replaces the whole mapping of an earlier one.
 *
 * bosun's precedence, lowest first:
 *
 * 1. role defaults
 * 2. inventory variables of the host, which are themselves, lowest first:
 *    1. `vars:` of group `all` in the inventory file
 *    2. `vars:` of the other groups of the host in the inventory file, parents before children
 *       (sorted by depth, then `ansible_group_priority`, then name)
 *    3. `group_vars/all.yml` beside the inventory file
 *    4. `group_vars/<group>.yml` of the other groups, in the same order
 *    5. the host's own variables in the inventory file (merged in file order if it is listed twice)
 *    6. `host_vars/<host>.yml`
 * 3. playbook (play) vars
 * 4. `-e` extra vars
 * 5. magic variables (`inventory_hostname`, `inventory_hostname_short`, `group_names`), which
 *    cannot be overridden
 *
 * The order inside the inventory is Ansible's default (`VARIABLE_PRECEDENCE`): every inline group
 * variable comes before every `group_vars/` file, so `group_vars/all.yml` beats a child group's
 * inline `vars:`. Within each kind, `all` < parent group < child group < host.
 */
export function mergeVars(...layers: readonly (Vars | null | undefined)[]): Vars {
  return Object.assign({}, ...layers.filter((l): l is Vars => l !== null && l !== undefined)) as Vars;
}

/** The layers of variables that come from outside the inventory. */
export interface VarLayers {
  /** Defaults of the roles the play uses (lowest). */
  readonly roleDefaults?: Vars;
  /** The play's `vars`. */
  readonly playVars?: Vars;
  /** `-e` extra vars (highest). */
  readonly extraVars?: Vars;
}

/** The magic variables Ansible defines for every host, which no layer can override. */
export function magicVars(host: InventoryHost): Vars {
  return {
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split(".")[0] ?? host.name,
    group_names: host.groups.filter((g) => g !== "all").sort(),
  };
}

/** The final variables of a host in a play: see {@link mergeVars} for the precedence. */
export function hostVarsWith(host: InventoryHost, layers: VarLayers = {}): Vars {
  return mergeVars(layers.roleDefaults, host.vars, layers.playVars, layers.extraVars, magicVars(host));
}
