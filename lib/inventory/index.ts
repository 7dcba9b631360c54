/** Inventory: Ansible-style YAML to typed hosts, variables by precedence, host patterns, `-e` vars. */
export type { Inventory, InventoryHost, Vars } from "./types.js";
export { loadInventory, type LoadInventoryOptions } from "./load.js";
export { parseInventory, type ParseInventoryOptions } from "./parse.js";
export { inventoryFromHosts, singleHostInventory, type InventoryFromHostsOptions } from "./in-code.js";
export { mergeVars, hostVarsWith, magicVars, type VarLayers } from "./precedence.js";
export { parseExtraVars, parseExtraVar } from "./extra-vars.js";
export { selectHosts } from "./select-hosts.js";
export { connectionFromVars, becomeFromVars, type ConnectionFromVarsOptions } from "./connection-spec.js";
