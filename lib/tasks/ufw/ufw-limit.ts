/** ufwLimit: a ufw rule allows a port but rate-limits new connections. */
import { defineUfwRuleTask } from "./rule-task.js";

/** Parameters for {@link ufwLimit}. */
export type { UfwRuleParams as UfwLimitParams } from "./rule-spec.js";

/**
 * Ensure a ufw rule allows a port while limiting new connections (ufw denies an address that opens
 * 6 or more connections within 30 seconds), like `ufw limit in proto tcp from any to any port 22`.
 * @example ufwLimit({ port: 22, proto: "tcp", comment: "ssh" })
 */
export const ufwLimit = defineUfwRuleTask("limit", "A ufw rule allows a port but rate-limits new connections.");
