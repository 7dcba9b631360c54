/** ensureGroup: a group exists (with this gid) or does not. */
import { sh } from "../../core/command.js";
import { taskParams, required, optional, intIn, account, bool, oneOf, type Static } from "../../core/params.js";
import { changed, defineTask, unchanged } from "../../core/task.js";
import { groupAccount } from "../../facts/groups.js";
import { accountNameProblem } from "./names.js";

/** Parameters for {@link ensureGroup}. */
export const ensureGroupParams = taskParams({
  name: required(account, "Group name."),
  gid: optional(intIn({ minimum: 0 }), "Numeric group id; an existing group is moved to it (`groupmod -g`). Left alone when omitted."),
  system: optional(bool, "Create it as a system group (`groupadd -r`); only used when the group is created."),
  state: optional(oneOf("present", "absent"), {
    description: "`present` or `absent` (`groupdel`; fails while it is some user's primary group).",
    default: "present",
  }),
});
/** Parameters for {@link ensureGroup}. */
export type EnsureGroupParams = Static<typeof ensureGroupParams>;

/**
 * Ensure a group exists with the given gid, or does not exist. One command when nothing changes.
 * @example ensureGroup({ name: "deployers" })
 * @example ensureGroup({ name: "app", gid: 1500, system: true })
 * @example ensureGroup({ name: "old-team", state: "absent" })
 */
export const ensureGroup = defineTask<EnsureGroupParams>({
  id: "access.ensureGroup",
  description: "A group exists with this gid (groupadd/groupmod), or does not exist (groupdel).",
  title: (p) => `group ${p.name}${p.state === "absent" ? " absent" : ""}`,
  schema: ensureGroupParams,
  validate: (p) =>
    accountNameProblem("name", p.name) ??
    (p.state === "absent" && (p.gid !== undefined || p.system !== undefined)
      ? `parameters "gid" and "system" only apply with state "present"`
      : undefined),
  async check(host, p) {
    const group = await host.fact(groupAccount, p.name);
    if (p.state === "absent") {
      if (!group.exists) return unchanged(`group ${p.name} does not exist`);
      return changed([sh`groupdel -- ${p.name}`], {
        message: `remove group ${p.name} (gid ${group.gid})`,
        diff: { label: `group ${p.name}`, before: { gid: group.gid }, after: undefined },
      });
    }
    if (!group.exists) {
      const gid = p.gid === undefined ? [] : ["-g", String(p.gid)];
      const system = p.system ? ["-r"] : [];
      return changed([sh`groupadd ${[...system, ...gid]} -- ${p.name}`], {
        message: `create group ${p.name}${p.gid === undefined ? "" : ` (gid ${p.gid})`}${p.system ? " as a system group" : ""}`,
        diff: { label: `group ${p.name}`, before: undefined, after: { gid: p.gid ?? "(next free)" } },
      });
    }
    if (p.gid !== undefined && group.gid !== p.gid) {
      return changed([sh`groupmod -g ${p.gid} -- ${p.name}`], {
        message: `group ${p.name}: gid ${group.gid} → ${p.gid} (files keep the old gid)`,
        diff: { label: `group ${p.name}`, before: { gid: group.gid }, after: { gid: p.gid } },
      });
    }
    return unchanged(`group ${p.name} exists (gid ${group.gid})`);
  },
});
