/**
 * The plan of a task that edits a file's text (lineInFile, blockInFile): read the content in the
 * one check command, compute the new content here, write it atomically only if it differs and
 * only if the file is still what was read.
 */
import { unchanged, type Plan, type Prerequisite, type TaskHost } from "../../core/task.js";
import { pathState } from "../../facts/files.js";
import { planFileWrite, requireFileOrAbsent, type FileAttributes } from "./file-plan.js";

/** Largest file an edit task reads (4 MiB). */
export const MAX_EDIT_BYTES = 4 * 1024 * 1024;

/** What a pure edit function returns. */
export interface EditResult {
  /** The new content (the same string when nothing changes). */
  readonly content: string;
  /** Whether the content changed. */
  readonly changed: boolean;
  /** What the edit did or why nothing changed ("line added", "block replaced", ...). */
  readonly message: string;
}

/** What an edit task knows about the file besides the edit. */
export interface EditTarget extends FileAttributes {
  /** Absolute path on the host. */
  readonly path: string;
  /** Create the file when it does not exist (edits then start from empty content). */
  readonly create?: boolean;
  /** Validation command (`%s`) run before the edited file goes live. */
  readonly validate?: string;
  /** An absent file already satisfies the edit (state: absent). */
  readonly absentIsDone?: boolean;
}

/** Read the file, apply `edit` to its text and plan the write. */
export async function planEdit(host: TaskHost, target: EditTarget, edit: (content: string) => EditResult): Promise<Plan<undefined>> {
  const file = target.path;
  const found = await host.fact(pathState, { path: file, content: true, maxContentBytes: MAX_EDIT_BYTES });
  const st = requireFileOrAbsent(host, found, { file, what: "edit" });
  const want = { path: file, owner: target.owner, group: target.group, mode: target.mode, validate: target.validate };
  if (st.kind === "absent") {
    if (target.absentIsDone) return unchanged(`${file} does not exist`);
    const needs: Prerequisite[] = target.create
      ? []
      : [
          {
            doing: `Cannot edit "${file}"`,
            missing: "the file does not exist",
            hint: "set create: true to create it, or create it first with ensureFile",
          },
        ];
    const result = edit("");
    if (!result.changed) return { ...unchanged(`${file} does not exist and the edit adds nothing: ${result.message}`), needs };
    const summary = target.create ? `${result.message} (new file)` : result.message;
    const plan = planFileWrite(host, st, { ...want, content: result.content, expect: "absent", summary });
    return { ...plan, needs: [...needs, ...(plan.needs ?? [])] };
  }
  if (st.content === undefined) {
    const why = st.contentOmitted === "too-large" ? `it is larger than ${MAX_EDIT_BYTES} bytes (${st.size})` : "it is not UTF-8 text";
    throw host.fail(`Cannot edit "${file}": ${why}`, "manage the whole file with ensureFile or templateFile instead");
  }
  const result = edit(st.content);
  const plan = planFileWrite(host, st, { ...want, content: result.content, expect: { sha256: st.sha256 }, summary: result.message });
  return plan.changed ? plan : unchanged(`${file}: ${result.message}`);
}
