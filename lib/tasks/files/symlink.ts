/** symlink: a symbolic link points at a target. */
import path from "node:path";
import { defineTask, changed, unchanged, type Prerequisite } from "../../core/task.js";
import { sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, nonEmpty, absPath, account, bool, type Static } from "../../core/params.js";
import { pathState, sameAccount } from "../../facts/files.js";
import { filePathProblem, firstProblem } from "./validation.js";

/** One command that points `dest` at `src` atomically: a new link beside it, renamed over it. */
function linkCommand(src: string, dest: string): Command {
  const temp = `${path.posix.dirname(dest)}/.bosun.XXXXXX`;
  return sh`t=$(mktemp -u -- ${temp}) && ln -s -- ${src} "$t" && { mv -fT -- "$t" ${dest} || { rm -f -- "$t"; exit 1; }; }`;
}

/** Parameters for {@link symlink}. */
export const symlinkParams = taskParams({
  src: required(nonEmpty, "What the link points at, stored verbatim (absolute, or relative to the link's directory); need not exist."),
  dest: required(absPath, "Absolute path of the link."),
  force: optional(bool, "Replace a file or special file at `dest` (never a directory). Another link is always replaced."),
  owner: optional(account, "Owner of the link itself (`chown -h`); left alone when omitted."),
  group: optional(account, "Group of the link itself; left alone when omitted."),
});
/** Parameters for {@link symlink}. */
export type SymlinkParams = Static<typeof symlinkParams>;

/**
 * Ensure `dest` is a symbolic link to `src`, like `ln -sfn`, replaced atomically. A file at
 * `dest` is replaced only with `force: true`; a directory never.
 * @example symlink({ src: "/srv/app/releases/42", dest: "/srv/app/current" })
 * @example symlink({ src: "../sites-available/app", dest: "/etc/nginx/sites-enabled/app", notify: "reload nginx" })
 */
export const symlink = defineTask<SymlinkParams>({
  id: "files.symlink",
  description: "A symbolic link points at a target (replaced atomically; a file only with force).",
  title: (p) => `link ${p.dest} -> ${p.src}`,
  schema: symlinkParams,
  validate: (p) =>
    firstProblem(filePathProblem("dest", p.dest), p.src.includes("\0") ? `parameter "src" must not contain a NUL byte` : undefined),
  async check(host, p) {
    const st = await host.fact(pathState, { path: p.dest });
    const account = `${p.owner ?? ""}${p.group ? `:${p.group}` : ""}`;
    const chown = account ? [sh`chown -h -- ${account} ${p.dest}`] : [];
    const after = { link: p.src, ...(p.owner ? { owner: p.owner } : {}), ...(p.group ? { group: p.group } : {}) };
    if (st.kind === "link" && st.target === p.src) {
      const ownerDiffers = p.owner !== undefined && !sameAccount(p.owner, st.owner, st.uid);
      const groupDiffers = p.group !== undefined && !sameAccount(p.group, st.group, st.gid);
      if (!ownerDiffers && !groupDiffers) return unchanged(`${p.dest} -> ${p.src}`);
      const before = { link: st.target, owner: st.owner, group: st.group };
      return changed(chown, { diff: { label: p.dest, before, after }, message: `chown ${account} ${p.dest}` });
    }
    if (st.kind === "dir") {
      throw host.fail(
        `Cannot create link "${p.dest}": a directory is there`,
        "remove it first with ensureAbsent (recursive: true if it is not empty)",
      );
    }
    const occupant = st.kind === "file" ? "file" : st.kind === "other" ? st.type : undefined;
    if (occupant && !p.force) throw host.fail(`Cannot create link "${p.dest}": a ${occupant} is there`, "set force: true to replace it");
    let message = `create link ${p.dest} -> ${p.src}`;
    if (st.kind === "link") message = `repoint ${p.dest}: ${st.target} -> ${p.src}`;
    if (occupant) message = `replace ${occupant} ${p.dest} by a link to ${p.src}`;
    const needs: Prerequisite[] =
      st.kind === "absent" && !st.parentExists
        ? [
            {
              doing: `Cannot create link "${p.dest}"`,
              missing: `directory "${path.posix.dirname(p.dest)}" does not exist`,
              hint: "create it first with ensureDir",
            },
          ]
        : [];
    const before = st.kind === "link" ? { link: st.target } : occupant ? { kind: occupant } : undefined;
    return changed([linkCommand(p.src, p.dest), ...chown], { diff: { label: p.dest, before, after }, message, needs });
  },
});
