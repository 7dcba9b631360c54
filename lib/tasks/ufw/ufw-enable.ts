/** ufwEnable: ufw is enabled (filtering, and started at boot) or disabled. */
import { defineTask, changed, needing, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, oneOf, type Static } from "../../core/params.js";
import { readUfw, present } from "./rule-task.js";
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
      if (!st.enabled && !st.running) return unchanged(st.need ? "ufw is not installed" : "ufw is disabled");
      return changed([sh`ufw disable`], { diff: { label: "ufw", before: "enabled\n", after: "disabled\n" }, message: "disable ufw" });
    }
    if (st.enabled && st.running) return unchanged("ufw is enabled");
    const ssh = guardedSsh(st.ssh, host.vars);
    const cut = ssh && !sshReachable({ enabled: true, incoming: st.defaults.incoming, rules: st.rules }, ssh);
    const guard = cut
      ? {
          missing: `no rule allows ${describeSsh(ssh)} (incoming policy: ${st.defaults.incoming})`,
          doing: "Cannot enable ufw without cutting this session",
          hint: `add ufwAllow({ port: ${ssh.port}, proto: "tcp" }) (or ufwLimit) before ufwEnable`,
        }
      : undefined;
    const message = st.enabled ? "ufw is enabled but its rules are not loaded: enable it again" : "enable ufw";
    const plan = changed([sh`ufw --force enable`], {
      diff: { label: "ufw", before: st.enabled ? "enabled (not loaded)\n" : "disabled\n", after: "enabled\n" },
      message,
    });
    return needing(plan, present(st.need, guard));
  },
});
