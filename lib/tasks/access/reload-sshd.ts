/** reloadSshd: check the whole sshd configuration, then reload sshd (a handler's action). */
import { raw, sh } from "../../core/command.js";
import { taskParams, optional, matching, type Static } from "../../core/params.js";
import { changed, defineTask } from "../../core/task.js";
import { reloadSshdCommand } from "./sshd-config.js";

/** Parameters for {@link reloadSshd}. */
export const reloadSshdParams = taskParams({
  service: optional(matching("^[A-Za-z0-9_.@-]+$"), 'The sshd unit ("ssh", Debian\'s name).'),
});
/** Parameters for {@link reloadSshd}. */
export type ReloadSshdParams = Static<typeof reloadSshdParams>;

/**
 * Reload sshd after `sshd -t` accepts the configuration (a broken one is never loaded). Always
 * reports changed: it is what a handler runs when sshdConfig with `reload: false` changed something.
 * No check command; one command to apply.
 * @example handlers: { "reload ssh": (host) => host.run(reloadSshd({})) }
 */
export const reloadSshd = defineTask<ReloadSshdParams>({
  id: "access.reloadSshd",
  description: "Reload sshd after sshd -t accepts the whole configuration (the action of a handler).",
  title: (p) => `reload ${p.service ?? "ssh"}`,
  schema: reloadSshdParams,
  async check(_host, p) {
    const service = p.service ?? "ssh";
    return changed([sh`PATH="$PATH:/usr/sbin:/sbin"; sshd -t ${raw("&&")} { ${reloadSshdCommand(service)}\n}`], {
      message: `reload ${service}`,
    });
  },
});
