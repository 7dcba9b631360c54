/** ensureDir: a directory exists with the given owner, group and mode, like `mkdir -p`. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, absPath, octalMode, account, type Static } from "../../core/params.js";
import { pathState, sameAccount } from "../../facts/files.js";

/** Parameters for {@link ensureDir}. */
export const ensureDirParams = taskParams({
  path: required(absPath, "Absolute path on the target host."),
  mode: optional(octalMode, 'Octal mode such as "0750"; left alone when omitted.'),
  owner: optional(account, "Owner name or uid; left alone when omitted."),
  group: optional(account, "Group name or gid; left alone when omitted."),
});
/** Parameters for {@link ensureDir}. */
export type EnsureDirParams = Static<typeof ensureDirParams>;

/**
 * Ensure a directory exists with the given mode, owner and group, like `mkdir -p`.
 * @example ensureDir({ path: "/srv/app", owner: "deploy", mode: "0750" })
 */
export const ensureDir = defineTask<EnsureDirParams>({
  id: "files.ensureDir",
  description: "A directory exists with the given owner, group and mode (parents created).",
  title: (p) => `directory ${p.path}`,
  schema: ensureDirParams,
  async check(host, p) {
    const st = await host.fact(pathState, { path: p.path });
    if (st.kind === "file" || st.kind === "other" || st.kind === "link") {
      throw host.fail(
        `Cannot ensure directory "${p.path}": path is a ${st.kind === "other" ? st.type : st.kind}`,
        "remove it first with ensureAbsent",
      );
    }
    const steps: Command[] = [];
    // Only what the params set: an owner or group left alone must not read as removed in --diff.
    const want = {
      kind: "dir",
      mode: p.mode ?? (st.kind === "dir" ? st.mode : "0755"),
      ...(p.owner === undefined ? {} : { owner: p.owner }),
      ...(p.group === undefined ? {} : { group: p.group }),
    };
    if (st.kind === "absent") steps.push(sh`mkdir -p -- ${p.path}`);
    const current = st.kind === "dir" ? st : undefined;
    if (p.mode && current?.mode !== p.mode.padStart(4, "0")) steps.push(sh`chmod ${p.mode} -- ${p.path}`);
    const ownerDiffers = p.owner !== undefined && !(current && sameAccount(p.owner, current.owner, current.uid));
    const groupDiffers = p.group !== undefined && !(current && sameAccount(p.group, current.group, current.gid));
    if (ownerDiffers || groupDiffers)
      steps.push(sh`chown -- ${`${ownerDiffers ? p.owner : ""}${groupDiffers ? `:${p.group}` : ""}`} ${p.path}`);
    if (steps.length === 0) return unchanged(`${p.path} is a directory`);
    return changed(steps, { diff: { label: p.path, before: current ?? { kind: "absent" }, after: { ...current, ...want } } });
  },
});
