/** ufwDeny: a ufw rule drops matching traffic. */
import { defineUfwRuleTask } from "./rule-task.js";

/** Parameters for {@link ufwDeny}. */
export type { UfwRuleParams as UfwDenyParams } from "./rule-spec.js";

/**
 * Ensure a ufw rule denies (silently drops) traffic to a port or from an address, like
 * `ufw deny in from 203.0.113.7 to any`. The same rule with another action is updated in place, as
 * ufw does. Refuses a rule that would block the SSH session running it while ufw is enabled.
 * @example ufwDeny({ port: 3306, proto: "tcp" })
 * @example ufwDeny({ from: "203.0.113.7", comment: "abuse" })
 */
export const ufwDeny = defineUfwRuleTask("deny", "A ufw rule denies traffic to a port or from an address.");
