/** lineInFile: one line is present in (or absent from) a text file, with Ansible's lineinfile semantics. */
import { defineTask } from "../../core/task.js";
import { taskParams, required, optional, absPath, octalMode, account, bool, nonEmpty, str, oneOf, type Static } from "../../core/params.js";
import type { TObject } from "@sinclair/typebox";
import { planEdit, type EditResult } from "./edit-plan.js";
import { filePathProblem, firstProblem, regexpProblem, validateProblem } from "./validation.js";

/** The edit itself, without the file: what {@link applyLineInFile} needs (properties of {@link lineInFileParams}). */
const lineEditProperties = {
  line: optional(
    str,
    "The line (without newline). Required with state present; with state absent, lines equal to it are removed when there is no `regexp`.",
  ),
  regexp: optional(
    str,
    "A JavaScript regular expression (as a string) tested against each line without its newline. present: the last matching line is replaced by `line` (the first with `firstMatch`); absent: every matching line is removed. It should also match `line`, or a re-run adds it again.",
  ),
  state: optional(oneOf("present", "absent"), { description: "present or absent.", default: "present" }),
  insertAfter: optional(nonEmpty, {
    description: 'Where a new line goes: after the last line matching this regexp, or "EOF" / "BOF". No match: end of file.',
    default: "EOF",
  }),
  insertBefore: optional(nonEmpty, 'Where a new line goes: before the last line matching this regexp, or "BOF". No match: end of file.'),
  firstMatch: optional(bool, "Use the first match of `regexp` / `insertAfter` / `insertBefore` instead of the last."),
  backrefs: optional(
    bool,
    "`line` is a replacement template using the groups of `regexp` (JavaScript syntax: `$1`, `$<name>`, `$$`); when `regexp` matches nothing the file is left alone.",
  ),
};
/** The edit itself, without the file: what {@link applyLineInFile} needs. */
export type LineEdit = Static<TObject<typeof lineEditProperties>>;

/** Parameters for {@link lineInFile}. */
export const lineInFileParams = taskParams({
  path: required(absPath, "Absolute path of the file on the host."),
  ...lineEditProperties,
  create: optional(bool, "Create the file (empty, 0644 unless `mode`) when it does not exist; otherwise a missing file is an error."),
  owner: optional(account, "Owner name or uid; left alone when omitted."),
  group: optional(account, "Group name or gid; left alone when omitted."),
  mode: optional(octalMode, 'Octal mode such as "0640"; left alone when omitted.'),
  validate: optional(nonEmpty, "Command that checks the edited file before it goes live; `%s` is the temp file (`sshd -t -f %s`)."),
});
/** Parameters for {@link lineInFile}. */
export type LineInFileParams = Static<typeof lineInFileParams>;

interface Line {
  /** Text without terminator. */
  readonly body: string;
  /** "\n", "\r\n" or "" (last line without newline). */
  readonly end: string;
}

function splitLines(content: string): Line[] {
  return (content.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((raw) => {
    const end = raw.endsWith("\r\n") ? "\r\n" : raw.endsWith("\n") ? "\n" : "";
    return { body: raw.slice(0, raw.length - end.length), end };
  });
}

function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.body + l.end).join("");
}

/** Expand `$1`, `$<name>`, `$&` and `$$` in `template` with a match. */
export function expandBackrefs(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\$|&|<([^>]*)>|\d{1,2})/g, (all, token: string, name: string | undefined) => {
    if (token === "$") return "$";
    if (token === "&") return match[0];
    if (name !== undefined) return match.groups?.[name] ?? "";
    const two = Number(token);
    if (two > 0 && two < match.length) return match[two] ?? "";
    const one = Number(token[0]);
    if (token.length === 2 && one > 0 && one < match.length) return (match[one] ?? "") + token.slice(1);
    return all;
  });
}

function lastOrFirst(lines: readonly Line[], test: (l: Line) => boolean, first: boolean): number {
  let found = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!test(lines[i] as Line)) continue;
    found = i;
    if (first) break;
  }
  return found;
}

/** Apply a {@link LineEdit} to a file's text: pure, Ansible's lineinfile semantics (see the params). */
export function applyLineInFile(content: string, edit: LineEdit): EditResult {
  const lines = splitLines(content);
  const re = edit.regexp === undefined ? undefined : new RegExp(edit.regexp);
  const line = edit.line ?? "";
  if (edit.state === "absent") {
    const kept = lines.filter((l) => !(re ? re.test(l.body) : l.body === line));
    const removed = lines.length - kept.length;
    return removed
      ? { content: joinLines(kept), changed: true, message: `${removed} line(s) removed` }
      : { content, changed: false, message: "no line to remove" };
  }
  const eol = lines[0]?.end === "\r\n" ? "\r\n" : "\n";
  const first = !!edit.firstMatch;
  let index = -1;
  let match: RegExpExecArray | null = null;
  if (re) {
    index = lastOrFirst(lines, (l) => re.test(l.body), first);
    if (index >= 0) match = re.exec((lines[index] as Line).body);
  }
  if (index < 0) index = lastOrFirst(lines, (l) => l.body === line, false);
  if (index >= 0) {
    const body = edit.backrefs && match ? expandBackrefs(line, match) : line;
    const old = lines[index] as Line;
    if (old.body === body) return { content, changed: false, message: "line already present" };
    lines[index] = { body, end: old.end };
    return { content: joinLines(lines), changed: true, message: "line replaced" };
  }
  if (edit.backrefs) return { content, changed: false, message: "regexp matched no line (backrefs: nothing to do)" };
  const added = { content: "", changed: true, message: "line added" };
  const insertAt = (at: number): EditResult => {
    const before = lines[at - 1];
    if (before && before.end === "") lines[at - 1] = { ...before, end: eol };
    lines.splice(at, 0, { body: line, end: eol });
    return { ...added, content: joinLines(lines) };
  };
  if (edit.insertBefore === "BOF" || edit.insertAfter === "BOF") return insertAt(0);
  const anchor = edit.insertAfter ?? edit.insertBefore;
  const anchorRe = anchor === undefined || anchor === "EOF" ? undefined : new RegExp(anchor);
  const at = anchorRe ? lastOrFirst(lines, (l) => anchorRe.test(l.body), first) : -1;
  if (at < 0) return insertAt(lines.length);
  return insertAt(edit.insertAfter !== undefined ? at + 1 : at);
}

/** Problems with a {@link LineEdit} that the schema cannot see. */
export function lineEditProblem(p: LineEdit): string | undefined {
  const state = p.state ?? "present";
  return firstProblem(
    state === "present" && p.line === undefined ? `parameter "line" is required with state "present"` : undefined,
    state === "absent" && p.line === undefined && p.regexp === undefined
      ? `give parameter "line" or "regexp" with state "absent"`
      : undefined,
    p.line !== undefined && /[\r\n]/.test(p.line)
      ? `parameter "line" must be a single line (no newline); use blockInFile for several lines`
      : undefined,
    p.regexp === "" ? `parameter "regexp" is empty, which matches every line; use "^" if that is what you mean` : undefined,
    p.insertAfter !== undefined && p.insertBefore !== undefined
      ? `give only one of parameters "insertAfter" and "insertBefore"`
      : undefined,
    p.backrefs && p.regexp === undefined ? `parameter "backrefs" needs "regexp"` : undefined,
    regexpProblem("regexp", p.regexp),
    p.insertAfter === "EOF" || p.insertAfter === "BOF" ? undefined : regexpProblem("insertAfter", p.insertAfter),
    p.insertBefore === "BOF" ? undefined : regexpProblem("insertBefore", p.insertBefore),
  );
}

/**
 * Ensure a line is present in a text file (replacing the last line `regexp` matches, else inserting
 * it after/before a matching line or at the end), or that matching lines are absent. The file is
 * read in the one check command and rewritten atomically only when the text changes.
 * @example lineInFile({ path: "/etc/ssh/sshd_config", regexp: "^#?PasswordAuthentication ", line: "PasswordAuthentication no", validate: "sshd -t -f %s" })
 * @example lineInFile({ path: "/etc/hosts", regexp: "\\sdb\\.internal$", state: "absent" })
 */
export const lineInFile = defineTask<LineInFileParams>({
  id: "files.lineInFile",
  description: "A line is present in (or absent from) a text file, with Ansible's lineinfile semantics; written atomically.",
  title: (p) => `line in ${p.path}`,
  schema: lineInFileParams,
  validate: (p) => firstProblem(filePathProblem("path", p.path), validateProblem(p.validate), lineEditProblem(p)),
  check: (host, p) => planEdit(host, { ...p, absentIsDone: p.state === "absent" }, (content) => applyLineInFile(content, p)),
});
