/** blockInFile: a block of lines between marker lines is present in (or absent from) a text file. */
import { defineTask } from "../../core/task.js";
import { taskParams, required, optional, absPath, octalMode, account, bool, nonEmpty, str, oneOf, type Static } from "../../core/params.js";
import type { TObject } from "@sinclair/typebox";
import { planEdit, type EditResult } from "./edit-plan.js";
import { filePathProblem, firstProblem, regexpProblem, validateProblem } from "./validation.js";

/** The default marker; `{mark}` becomes `markerBegin` / `markerEnd`. */
export const DEFAULT_BLOCK_MARKER = "# {mark} BOSUN MANAGED BLOCK";

/** The edit itself, without the file: what {@link applyBlockInFile} needs (properties of {@link blockInFileParams}). */
const blockEditProperties = {
  block: optional(
    str,
    "The lines between the markers (a final newline is ignored). Empty with state present removes the block, like Ansible.",
  ),
  marker: optional(nonEmpty, {
    description: "Marker line template containing `{mark}`; use a distinct one per block in a file.",
    default: DEFAULT_BLOCK_MARKER,
  }),
  markerBegin: optional(nonEmpty, { description: "Replaces `{mark}` in the opening marker.", default: "BEGIN" }),
  markerEnd: optional(nonEmpty, { description: "Replaces `{mark}` in the closing marker.", default: "END" }),
  state: optional(oneOf("present", "absent"), { description: "present or absent.", default: "present" }),
  insertAfter: optional(nonEmpty, {
    description: 'Where a new block goes: after the last line matching this regexp, or "EOF". No match: end of file.',
    default: "EOF",
  }),
  insertBefore: optional(nonEmpty, 'Where a new block goes: before the last line matching this regexp, or "BOF". No match: end of file.'),
};
/** The edit itself, without the file: what {@link applyBlockInFile} needs. */
export type BlockEdit = Static<TObject<typeof blockEditProperties>>;

/** Parameters for {@link blockInFile}. */
export const blockInFileParams = taskParams({
  path: required(absPath, "Absolute path of the file on the host."),
  ...blockEditProperties,
  create: optional(bool, "Create the file when it does not exist; otherwise a missing file is an error (state present)."),
  owner: optional(account, "Owner name or uid; left alone when omitted."),
  group: optional(account, "Group name or gid; left alone when omitted."),
  mode: optional(octalMode, 'Octal mode such as "0640"; left alone when omitted.'),
  validate: optional(nonEmpty, "Command that checks the edited file before it goes live; `%s` is the temp file."),
});
/** Parameters for {@link blockInFile}. */
export type BlockInFileParams = Static<typeof blockInFileParams>;

/** The opening and closing marker lines of an edit. */
export function blockMarkers(edit: BlockEdit): { begin: string; end: string } {
  const marker = edit.marker ?? DEFAULT_BLOCK_MARKER;
  return {
    begin: marker.replace("{mark}", () => edit.markerBegin ?? "BEGIN"),
    end: marker.replace("{mark}", () => edit.markerEnd ?? "END"),
  };
}

function blockLines(block: string): string[] {
  return (block.endsWith("\n") ? block.slice(0, -1) : block).split("\n");
}

/** Apply a {@link BlockEdit} to a file's text: pure, Ansible's blockinfile semantics (see the params). */
export function applyBlockInFile(content: string, edit: BlockEdit): EditResult {
  const { begin, end } = blockMarkers(edit);
  const finalNewline = content === "" || content.endsWith("\n");
  const lines = content === "" ? [] : content.split("\n");
  if (content.endsWith("\n")) lines.pop();
  const bare = (l: string): string => (l.endsWith("\r") ? l.slice(0, -1) : l);
  let n0 = -1;
  let n1 = -1;
  lines.forEach((l, i) => {
    if (bare(l) === begin) n0 = i;
    if (bare(l) === end) n1 = i;
  });
  const remove = edit.state === "absent" || !edit.block;
  const wanted = remove ? [] : [begin, ...blockLines(edit.block as string), end];
  const found = n0 >= 0 && n1 >= 0;
  if (!found && remove) return { content, changed: false, message: "no block to remove" };
  let at: number;
  if (found) {
    at = Math.min(n0, n1);
    lines.splice(at, Math.abs(n1 - n0) + 1);
  } else if (edit.insertBefore === "BOF") {
    at = 0;
  } else {
    const anchor = edit.insertAfter ?? edit.insertBefore;
    const re = anchor === undefined || anchor === "EOF" ? undefined : new RegExp(anchor);
    const match = re ? lines.reduce((last, l, i) => (re.test(bare(l)) ? i : last), -1) : -1;
    at = match < 0 ? lines.length : edit.insertAfter !== undefined ? match + 1 : match;
  }
  lines.splice(at, 0, ...wanted);
  const next = lines.length ? lines.join("\n") + (finalNewline ? "\n" : "") : "";
  if (next === content) return { content, changed: false, message: "block already present" };
  return { content: next, changed: true, message: remove ? "block removed" : found ? "block replaced" : "block inserted" };
}

/** Problems with a {@link BlockEdit} that the schema cannot see. */
export function blockEditProblem(p: BlockEdit): string | undefined {
  const { begin, end } = blockMarkers(p);
  const marker = p.marker ?? DEFAULT_BLOCK_MARKER;
  return firstProblem(
    (p.state ?? "present") === "present" && p.block === undefined ? `parameter "block" is required with state "present"` : undefined,
    marker.includes("{mark}") ? undefined : `parameter "marker" must contain {mark}`,
    /[\r\n]/.test(begin + end) ? `parameters "marker", "markerBegin" and "markerEnd" must not contain a newline` : undefined,
    begin === end ? `parameters "markerBegin" and "markerEnd" must differ` : undefined,
    p.block !== undefined && blockLines(p.block).some((l) => l === begin || l === end)
      ? `parameter "block" must not contain its own marker lines`
      : undefined,
    p.insertAfter !== undefined && p.insertBefore !== undefined
      ? `give only one of parameters "insertAfter" and "insertBefore"`
      : undefined,
    p.insertAfter === "EOF" ? undefined : regexpProblem("insertAfter", p.insertAfter),
    p.insertBefore === "BOF" ? undefined : regexpProblem("insertBefore", p.insertBefore),
  );
}

/**
 * Ensure a block of lines, between `# BEGIN BOSUN MANAGED BLOCK` and `# END BOSUN MANAGED BLOCK`
 * markers, is present in a text file (replaced in place when it differs) or absent. The file is
 * read in the one check command and rewritten atomically only when the text changes.
 * @example blockInFile({ path: "/etc/hosts", marker: "# {mark} lab hosts", block: "10.0.0.2 db\n10.0.0.3 cache\n" })
 */
export const blockInFile = defineTask<BlockInFileParams>({
  id: "files.blockInFile",
  description: "A block of lines between marker lines is present in (or absent from) a text file; written atomically.",
  title: (p) => `block in ${p.path}`,
  schema: blockInFileParams,
  validate: (p) => firstProblem(filePathProblem("path", p.path), validateProblem(p.validate), blockEditProblem(p)),
  check: (host, p) => planEdit(host, { ...p, absentIsDone: p.state === "absent" }, (content) => applyBlockInFile(content, p)),
});
