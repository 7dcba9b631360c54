/** Inventory: Ansible-style YAML and INI to typed hosts, variables by precedence, host patterns, `-e` vars. */
export type { Inventory, InventoryGroup, InventoryHost, Vars } from "./types.js";
export { loadInventory, type LoadInventoryOptions } from "./load.js";
export { loadInventorySources, resolveInventorySource, type LoadSourcesOptions, type InventorySource } from "./sources.js";
export { ansibleSettings, findAnsibleConfig, type AnsibleSettings, type AnsibleConfigOptions } from "./ansible-config.js";
export { retryFilePath, writeRetryFile } from "./retry-file.js";
export { setWarningSink, warnInventory, type WarningSink } from "./warnings.js";
export { parseInventory, type ParseInventoryOptions } from "./parse.js";
export { inventoryFromHosts, singleHostInventory, type InventoryFromHostsOptions } from "./in-code.js";
export { mergeVars, hostVarsWith, magicVars, type VarLayers } from "./precedence.js";
export { parseExtraVars, parseExtraVar } from "./extra-vars.js";
export { selectHosts, limitPatterns, limitWithAbsoluteFiles, type SelectHostsOptions } from "./select-hosts.js";
export { connectionFromVars, becomeFromVars, type ConnectionFromVarsOptions } from "./connection-spec.js";
