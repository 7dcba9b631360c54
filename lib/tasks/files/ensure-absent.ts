/** ensureAbsent: nothing is at a path (file, link, special file, or directory). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, required, optional, absPath, bool, type Static } from "../../core/params.js";
import { pathState } from "../../facts/files.js";

/** The path without repeated or trailing slashes (so that a link to a directory is removed, never followed). */
export function normaliseAbsentPath(p: string): string {
  const normal = p.replace(/\/+/g, "/");
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

function pathProblem(p: string): string | undefined {
  const normal = normaliseAbsentPath(p);
  if (normal === "/") return `parameter "path" must not be the root directory`;
  if (normal.split("/").some((s) => s === "." || s === ".."))
    return `parameter "path" must not contain "." or ".." segments: ${JSON.stringify(p)}`;
  return undefined;
}

/** Parameters for {@link ensureAbsent}. */
export const ensureAbsentParams = taskParams({
  path: required(absPath, "Absolute path on the host; a trailing slash is ignored, a link is removed, never followed."),
  recursive: optional(
    bool,
    "Remove a non-empty directory with everything in it (`rm -rf`); without it only an empty directory is removed.",
  ),
});
/** Parameters for {@link ensureAbsent}. */
export type EnsureAbsentParams = Static<typeof ensureAbsentParams>;

/**
 * Ensure nothing is at a path: a file, link or special file is removed with `rm -f`, an empty
 * directory with `rmdir`; a non-empty directory only with `recursive: true` (`rm -rf`), else the
 * task fails and removes nothing.
 * @example ensureAbsent({ path: "/etc/nginx/sites-enabled/default" })
 * @example ensureAbsent({ path: "/srv/app/releases/2023-01-01", recursive: true })
 */
export const ensureAbsent = defineTask<EnsureAbsentParams>({
  id: "files.ensureAbsent",
  description: "Nothing is at a path: file, link, special file, or directory (non-empty only with recursive).",
  title: (p) => `absent ${p.path}`,
  schema: ensureAbsentParams,
  validate: (p) => pathProblem(p.path),
  async check(host, p) {
    const target = normaliseAbsentPath(p.path);
    const st = await host.fact(pathState, { path: target, dirEmpty: !p.recursive });
    switch (st.kind) {
      case "absent":
        return unchanged(`${target} does not exist`);
      case "dir": {
        const before = {
          kind: "directory",
          mode: st.mode,
          owner: st.owner,
          group: st.group,
          ...(st.empty === undefined ? {} : { empty: st.empty }),
        };
        const diff = { label: target, before, after: { kind: "absent" } };
        if (p.recursive) return changed([sh`rm -rf -- ${target}`], { diff, message: `remove directory ${target} and everything in it` });
        if (st.empty === false) {
          throw host.fail(`Cannot remove directory "${target}": it is not empty`, "set recursive: true to remove it with everything in it");
        }
        return changed([sh`rmdir -- ${target}`], { diff, message: `remove empty directory ${target}` });
      }
      default: {
        const what = st.kind === "link" ? `link to ${st.target}` : st.kind === "file" ? `file (${st.size} bytes)` : st.type;
        return changed([sh`rm -f -- ${target}`], {
          diff: { label: target, before: { kind: what }, after: { kind: "absent" } },
          message: `remove ${what} ${target}`,
        });
      }
    }
  },
});
