/** Package tasks: apt packages, apt repositories with their keys, upgrades. */
export { apt, type AptParams, type AptOutput } from "./apt.js";
export { aptRepository, renderDeb822, type AptRepositoryParams } from "./apt-repository.js";
export { aptUpgrade, type AptUpgradeParams, type AptUpgradeOutput } from "./apt-upgrade.js";
export { dearmorKey } from "./openpgp-armor.js";
export { DEFAULT_LOCK_TIMEOUT, type LockHolder } from "./apt-run.js";
