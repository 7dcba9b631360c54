/** ufwDefault: ufw's default policies for incoming, outgoing and routed traffic. */
import { defineTask, changed, needing, unchanged } from "../../core/task.js";
import { sh, type Command } from "../../core/command.js";
import { taskParams, optional, oneOf, type Static } from "../../core/params.js";
import type { UfwDirection, UfwPolicy } from "../../facts/ufw.js";
import { readUfw, present } from "./rule-task.js";
import { guardSsh, guardedSsh } from "./ssh-guard.js";

const policy = oneOf("allow", "deny", "reject");

/** Parameters for {@link ufwDefault}; at least one direction. */
export const ufwDefaultParams = taskParams({
  incoming: optional(policy, "Policy for incoming traffic no rule matches (ufw's own default: deny)."),
  outgoing: optional(policy, "Policy for outgoing traffic no rule matches (ufw's own default: allow)."),
  routed: optional(policy, "Policy for routed (forwarded) traffic no rule matches (ufw's own default: deny)."),
});
/** Parameters for {@link ufwDefault}; at least one direction. */
export type UfwDefaultParams = Static<typeof ufwDefaultParams>;

const DIRECTIONS: readonly UfwDirection[] = ["incoming", "outgoing", "routed"];

/**
 * Ensure ufw's default policies, like `ufw default deny incoming`. Read from /etc/default/ufw;
 * works whether ufw is enabled or not. While ufw is enabled, refuses an incoming policy that would
 * block the SSH session running it (allow SSH with a rule first).
 * @example ufwDefault({ incoming: "deny", outgoing: "allow", routed: "deny" })
 */
export const ufwDefault = defineTask<UfwDefaultParams>({
  id: "ufw.default",
  description: "ufw's default policies for incoming, outgoing and routed traffic.",
  title: (p) =>
    `ufw default ${DIRECTIONS.filter((d) => p[d])
      .map((d) => `${p[d]} ${d}`)
      .join(", ")}`,
  schema: ufwDefaultParams,
  validate: (p) =>
    DIRECTIONS.some((d) => p[d] !== undefined) ? undefined : 'give at least one of the parameters "incoming", "outgoing", "routed"',
  async check(host, p) {
    const st = await readUfw(host, "set ufw's default policies");
    const steps: Command[] = [];
    const before: Partial<Record<UfwDirection, UfwPolicy>> = {};
    const after: Partial<Record<UfwDirection, UfwPolicy>> = {};
    for (const direction of DIRECTIONS) {
      const wanted = p[direction];
      if (wanted === undefined || st.defaults[direction] === wanted) continue;
      before[direction] = st.defaults[direction];
      after[direction] = wanted;
      steps.push(sh`ufw default ${wanted} ${direction}`);
    }
    const summary = DIRECTIONS.filter((d) => p[d])
      .map((d) => `${d} ${st.defaults[d]}`)
      .join(", ");
    if (!steps.length) return needing(unchanged<undefined>(summary), present(st.need));
    const picture = { enabled: st.enabled, incoming: st.defaults.incoming, rules: st.rules };
    const guard = guardSsh({
      ssh: guardedSsh(st.ssh, host.vars),
      before: picture,
      after: { ...picture, incoming: p.incoming ?? st.defaults.incoming },
      doing: `set ufw's default incoming policy to ${p.incoming}`,
    });
    const plan = changed(steps, {
      diff: { label: "ufw default policies", before, after },
      message: Object.keys(after)
        .map((d) => `${d}: ${before[d as UfwDirection]} -> ${after[d as UfwDirection]}`)
        .join(", "),
    });
    return needing(plan, present(st.need, guard));
  },
});
