/** Access tasks: groups, users, authorized keys, sudoers and sshd drop-ins. */
export { ensureGroup, type EnsureGroupParams } from "./ensure-group.js";
export { ensureUser, type EnsureUserParams } from "./ensure-user.js";
export { authorizedKey, type AuthorizedKeyParams } from "./authorized-key.js";
export { sudoers, type SudoersParams } from "./sudoers.js";
export { sshdConfig, reloadSshdCommand, type SshdConfigParams } from "./sshd-config.js";
export { reloadSshd, type ReloadSshdParams } from "./reload-sshd.js";
export type { SshdSettings, SshdKnownSettings, SshdValue } from "./sshd-settings.js";
