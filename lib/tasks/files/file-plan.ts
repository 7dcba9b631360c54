/**
 * The plan every file-writing task shares: from what is at the path and the wanted content and
 * attributes, the one write (or chmod/chown) to run and the before/after diffs.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { Secret } from "../../core/secrets.js";
import { changed, unchanged, type Plan, type TaskHost } from "../../core/task.js";
import { normaliseMode, sameAccount, type PathState } from "../../facts/files.js";
import { atomicWrite, IN_PLACE_MARKER, type AtomicWriteOptions } from "./atomic-write.js";

/** Content a file task writes: text, bytes, or a secret (never shown in diffs or logs). */
export type FileContent = string | Buffer | Secret;

/** What is at a path when a file may go there. */
export type FileOrAbsent = Extract<PathState, { kind: "file" } | { kind: "absent" }>;

/** Owner, group and mode a file task may set; each is left alone when omitted. */
export interface FileAttributes {
  /** Owner name or numeric id. */
  readonly owner?: string;
  /** Group name or numeric id. */
  readonly group?: string;
  /** Octal mode such as "0640". */
  readonly mode?: string;
}

/** The file a task wants. */
export interface WantedFile extends FileAttributes {
  /** Absolute path on the host. */
  readonly path: string;
  /** The whole content. */
  readonly content: FileContent;
  /** Validation command run on the temp file (`%s`) before it goes live. */
  readonly validate?: string;
  /** Create missing parent directories. */
  readonly createParents?: boolean;
  /** What the file must still be at write time (edits computed from its content). */
  readonly expect?: AtomicWriteOptions["expect"];
  /** What the content change is, for the message ("line added"); defaults to sizes. */
  readonly summary?: string;
}

/** Refuse what a file task cannot overwrite: a directory, a link or a special file. */
export function requireFileOrAbsent(host: TaskHost, st: PathState, file: string, what: string): FileOrAbsent {
  if (st.kind === "file" || st.kind === "absent") return st;
  if (st.kind === "link") {
    return fail(host, `Cannot ${what} "${file}": it is a symbolic link to "${st.target}"`, "name the link's target instead, or remove the link first with ensureAbsent");
  }
  const type = st.kind === "dir" ? "directory" : st.type;
  return fail(host, `Cannot ${what} "${file}": it is a ${type}`, "remove it first with ensureAbsent");
}

function fail(host: TaskHost, message: string, hint: string): never {
  throw host.fail(message, hint);
}

/** The bytes of a content value (secrets revealed, for hashing and writing only). */
export function contentBytes(content: FileContent): Buffer {
  if (Buffer.isBuffer(content)) return content;
  return Buffer.from(content instanceof Secret ? content.reveal() : content, "utf8");
}

/** The content as text for a diff, or a placeholder line when it is not UTF-8 text. */
function diffText(content: Buffer | string): string {
  if (typeof content === "string") return content;
  const text = content.toString("utf8");
  return Buffer.from(text, "utf8").equals(content) ? text : `<binary content: ${content.length} bytes>\n`;
}

function beforeText(st: Extract<PathState, { kind: "file" }>): string {
  if (st.content !== undefined) return st.content;
  const why = st.contentOmitted === "too-large" ? "too large to show" : st.contentOmitted === "not-text" ? "not UTF-8 text" : "not fetched";
  return `<content ${why}: ${st.size} bytes, sha256 ${st.sha256}>\n`;
}

/** The chmod/chown commands that bring an existing file's attributes to the wanted ones. */
export function attributeSteps(st: { mode: string; owner: string; group: string; uid: string; gid: string }, file: string, want: FileAttributes): Command[] {
  const steps: Command[] = [];
  if (want.mode !== undefined && normaliseMode(want.mode) !== st.mode) steps.push(sh`chmod ${want.mode} -- ${file}`);
  const ownerDiffers = want.owner !== undefined && !sameAccount(want.owner, st.owner, st.uid);
  const groupDiffers = want.group !== undefined && !sameAccount(want.group, st.group, st.gid);
  if (ownerDiffers || groupDiffers) {
    steps.push(sh`chown -- ${`${ownerDiffers ? want.owner : ""}${groupDiffers ? `:${want.group}` : ""}`} ${file}`);
  }
  return steps;
}

/** A step result that carries the IN_PLACE_MARKER: log it under -v. */
export function logInPlaceWrite(host: TaskHost, file: string, results: readonly unknown[]): void {
  const wrote = results.some((r) => typeof (r as { stderr?: unknown })?.stderr === "string" && (r as { stderr: string }).stderr.includes(IN_PLACE_MARKER));
  if (wrote) host.log(`${file}: rename was impossible (busy, e.g. a bind mount); wrote the file in place, not atomically`);
}

/**
 * Plan writing `want` over what `st` says is there: one atomic write when the content differs,
 * chmod/chown when only attributes do, nothing otherwise.
 */
export function planFileWrite(host: TaskHost, st: FileOrAbsent, want: WantedFile): Plan<undefined> {
  const bytes = contentBytes(want.content);
  const sha = createHash("sha256").update(bytes).digest("hex");
  const secret = want.content instanceof Secret;
  const attrs = { mode: want.mode, owner: want.owner, group: want.group };

  if (st.kind === "absent") {
    const parent = path.posix.dirname(want.path);
    const detail = [want.mode && `mode ${want.mode}`, want.owner && `owner ${want.owner}`, want.group && `group ${want.group}`].filter(Boolean).join(", ");
    let message = want.summary ? `${want.path}: ${want.summary}` : `create ${want.path} (${bytes.length} bytes${detail ? `, ${detail}` : ""})`;
    if (!st.parentExists && !want.createParents) {
      if (!host.checkMode) fail(host, `Cannot write "${want.path}": directory "${parent}" does not exist`, "create it first with ensureDir, or set createParents: true");
      message += `; directory "${parent}" does not exist yet, so applying fails unless an earlier task creates it`;
    }
    const diff: Diff[] = secret ? [] : [{ label: want.path, before: undefined, after: diffText(bytes) }];
    return changed([atomicWrite(want.path, bytes, { ...attrs, validate: want.validate, createParents: want.createParents, expect: want.expect })], {
      diff,
      message: secret ? `${message}; content hidden (secret)` : message,
      finish: (results) => (logInPlaceWrite(host, want.path, results), {}),
    });
  }

  const attrSteps = attributeSteps(st, want.path, want);
  const before = { mode: st.mode, owner: st.owner, group: st.group };
  const after = {
    mode: want.mode !== undefined ? normaliseMode(want.mode) : st.mode,
    owner: want.owner !== undefined && !sameAccount(want.owner, st.owner, st.uid) ? want.owner : st.owner,
    group: want.group !== undefined && !sameAccount(want.group, st.group, st.gid) ? want.group : st.group,
  };
  const attrDiff: Diff[] = attrSteps.length ? [{ label: `${want.path} (attributes)`, before, after }] : [];
  const attrWords = attrSteps.length ? `${[before.mode !== after.mode && `mode ${before.mode} → ${after.mode}`, before.owner !== after.owner && `owner ${before.owner} → ${after.owner}`, before.group !== after.group && `group ${before.group} → ${after.group}`].filter(Boolean).join(", ")}` : "";

  if (st.sha256 !== sha) {
    const contentDiff: Diff[] = secret ? [] : [{ label: want.path, before: beforeText(st), after: diffText(bytes) }];
    const head = want.summary ? `${want.path}: ${want.summary}` : `update ${want.path} (${st.size} → ${bytes.length} bytes)`;
    const message = `${head}${attrWords ? `; ${attrWords}` : ""}${secret ? "; content hidden (secret)" : ""}`;
    return changed([atomicWrite(want.path, bytes, { ...attrs, validate: want.validate, expect: want.expect })], {
      diff: [...contentDiff, ...attrDiff],
      message,
      finish: (results) => (logInPlaceWrite(host, want.path, results), {}),
    });
  }
  if (attrSteps.length) return changed(attrSteps, { diff: attrDiff, message: `${want.path}: ${attrWords}` });
  return unchanged(`${want.path} is up to date`);
}
