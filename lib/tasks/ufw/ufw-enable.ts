/** ufwEnable: ufw is enabled (filtering, and started at boot) or disabled. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, oneOf, type Static } from "../../core/params.js";
import { readUfw, withNotes } from "./rule-task.js";
import { describeSsh, guardedSsh, sshReachable } from "./ssh-guard.js";

/** Parameters for {@link ufwEnable}. */
export const ufwEnableParams = taskParams({
  state: optional(oneOf("enabled", "disabled"), { description: "enabled or disabled.", default: "enabled" }),
});
/** Parameters for {@link ufwEnable}. */
export type UfwEnableParams = Static<typeof ufwEnableParams>;

/**
 * Ensure ufw is enabled (`ufw --force enable`: filtering now and at boot) or disabled. Never cuts
 * the SSH session running it: enabling is refused unless a rule (or an incoming policy of allow)
 * lets that session's server-side port through — read from `$SSH_CONNECTION` on the host (the
 * container's port in the lab, not the published one), or the inventory port when unavailable.
 * An enabled ufw whose chains are not loaded (e.g. after a failed boot) is enabled again.
 * @example ufwEnable({})
 * @example ufwEnable({ state: "disabled" })
 */
export const ufwEnable = defineTask<UfwEnableParams>({
  id: "ufw.enable",
  description: "ufw is enabled (never cutting the SSH session running it) or disabled.",
  title: (p) => `ufw ${p.state ?? "enabled"}`,
  schema: ufwEnableParams,
  async check(host, p) {
    const st = await readUfw(host, p.state === "disabled" ? "disable ufw" : "enable ufw");
    if (p.state === "disabled") {
      if (!st.enabled && !st.running) return unchanged(st.pending ? "ufw is not installed" : "ufw is disabled");
      return changed([sh`ufw disable`], { diff: { label: "ufw", before: "enabled\n", after: "disabled\n" }, message: "disable ufw" });
    }
    if (st.enabled && st.running) return unchanged("ufw is enabled");
    const ssh = guardedSsh(st.ssh, host.vars);
    let warning: string | undefined;
    if (ssh && !sshReachable({ enabled: true, incoming: st.defaults.incoming, rules: st.rules }, ssh)) {
      const problem = `${describeSsh(ssh)} is not allowed by any rule and the incoming policy is ${st.defaults.incoming}; enabling would cut this session`;
      // In check mode an earlier task of the run may still add the rule.
      if (!host.checkMode)
        throw host.fail(
          `Cannot enable ufw: ${problem}`,
          `add ufwAllow({ port: ${ssh.port}, proto: "tcp" }) (or ufwLimit) before ufwEnable`,
        );
      warning = `${problem}: applying fails unless an earlier task allows SSH`;
    }
    const message = st.enabled ? "ufw is enabled but its rules are not loaded: enable it again" : "enable ufw";
    return changed([sh`ufw --force enable`], {
      diff: { label: "ufw", before: st.enabled ? "enabled (not loaded)\n" : "disabled\n", after: "enabled\n" },
      message: withNotes(message, st.pending, warning),
    });
  },
});
