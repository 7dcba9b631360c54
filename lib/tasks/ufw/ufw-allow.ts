/** ufwAllow: a ufw rule lets matching traffic through. */
import { defineUfwRuleTask } from "./rule-task.js";

/** Parameters for {@link ufwAllow}. */
export type { UfwRuleParams as UfwAllowParams } from "./rule-spec.js";

/**
 * Ensure a ufw rule allows traffic to a port or range, optionally from an address or network, like
 * `ufw allow in proto tcp from 10.0.0.0/8 to any port 5432`. Idempotent by reading ufw's stored rules
 * (/etc/ufw/user.rules, user6.rules); works whether ufw is enabled or not. Refuses a change (e.g.
 * `state: "absent"`) that would block the SSH session running it while ufw is enabled.
 * @example ufwAllow({ port: 443, proto: "tcp", comment: "https" })
 * @example ufwAllow({ port: "6000:6007", proto: "udp", from: "10.0.0.0/8" })
 */
export const ufwAllow = defineUfwRuleTask("allow", "A ufw rule allows traffic to a port or range (from an address or network).");
