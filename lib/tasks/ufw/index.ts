/** Firewall tasks: ufw rules, default policies, and enabling it without cutting SSH. */
export { ufwAllow, type UfwAllowParams } from "./ufw-allow.js";
export { ufwDeny, type UfwDenyParams } from "./ufw-deny.js";
export { ufwLimit, type UfwLimitParams } from "./ufw-limit.js";
export { ufwDefault, type UfwDefaultParams } from "./ufw-default.js";
export { ufwEnable, type UfwEnableParams } from "./ufw-enable.js";
export { ufwDockerFilter, type UfwDockerFilterParams } from "./ufw-docker-filter.js";
export type { UfwRuleParams, UfwAction } from "./rule-spec.js";
