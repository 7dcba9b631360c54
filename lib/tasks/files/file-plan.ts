/**
 * The plan every file-writing task shares: from what is at the path and the wanted content and
 * attributes, the one write (or chmod/chown) to run and the before/after diffs.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { Secret } from "../../core/secrets.js";
import { changed, unchanged, type Plan, type Prerequisite, type TaskHost } from "../../core/task.js";
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
export function requireFileOrAbsent(host: TaskHost, st: PathState, target: { file: string; what: string }): FileOrAbsent {
  const { file, what } = target;
  if (st.kind === "file" || st.kind === "absent") return st;
  if (st.kind === "link") {
    return fail(
      host,
      `Cannot ${what} "${file}": it is a symbolic link to "${st.target}"`,
      "name the link's target instead, or remove the link first with ensureAbsent",
    );
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
export function attributeSteps(
  st: { mode: string; owner: string; group: string; uid: string; gid: string },
  file: string,
  want: FileAttributes,
): Command[] {
  const steps: Command[] = [];
  if (want.mode !== undefined && normaliseMode(want.mode) !== st.mode) steps.push(sh`chmod ${want.mode} -- ${file}`);
  const ownerDiffers = want.owner !== undefined && !sameAccount(want.owner, st.owner, st.uid);
  const groupDiffers = want.group !== undefined && !sameAccount(want.group, st.group, st.gid);
  if (ownerDiffers || groupDiffers) {
    steps.push(sh`chown -- ${`${ownerDiffers ? want.owner : ""}${groupDiffers ? `:${want.group}` : ""}`} ${file}`);
  }
  return steps;
}

/** Log under -v when a write had to happen in place (the atomic write's IN_PLACE_MARKER on stderr). */
export function logInPlaceWrite(host: TaskHost, file: string, results: readonly unknown[]): void {
  const stderrOf = (r: unknown): string => {
    const stderr = (r as { stderr?: unknown } | undefined)?.stderr;
    return typeof stderr === "string" ? stderr : "";
  };
  if (results.some((r) => stderrOf(r).includes(IN_PLACE_MARKER))) {
    host.log(`${file}: rename was impossible (busy, e.g. a bind mount); wrote the file in place, not atomically`);
  }
}

/** A write plan: the file, its bytes, what it says and needs. */
interface WriteDetails {
  readonly want: WantedFile;
  readonly bytes: Buffer;
  readonly diff: readonly Diff[];
  readonly message: string;
  readonly createParents?: boolean;
  readonly needs?: readonly Prerequisite[];
}

/** The write step of a plan and the finish that logs an in-place write. */
function writePlan(host: TaskHost, details: WriteDetails): Plan<undefined> {
  const { want, bytes, diff, message, createParents = false, needs } = details;
  const options = { mode: want.mode, owner: want.owner, group: want.group, validate: want.validate, createParents, expect: want.expect };
  return changed([atomicWrite(want.path, bytes, options)], {
    diff,
    needs,
    message: want.content instanceof Secret ? `${message}; content hidden (secret)` : message,
    finish: (results) => {
      logInPlaceWrite(host, want.path, results);
      return {};
    },
  });
}

function planNewFile(
  host: TaskHost,
  target: { st: Extract<PathState, { kind: "absent" }>; want: WantedFile; bytes: Buffer },
): Plan<undefined> {
  const { st, want, bytes } = target;
  const detail = [want.mode && `mode ${want.mode}`, want.owner && `owner ${want.owner}`, want.group && `group ${want.group}`].filter(
    Boolean,
  );
  const message = want.summary
    ? `${want.path}: ${want.summary}`
    : `create ${want.path} (${[`${bytes.length} bytes`, ...detail].join(", ")})`;
  const needs: Prerequisite[] =
    !st.parentExists && !want.createParents
      ? [
          {
            doing: `Cannot write "${want.path}"`,
            missing: `directory "${path.posix.dirname(want.path)}" does not exist`,
            hint: "create it first with ensureDir, or set createParents: true",
          },
        ]
      : [];
  const diff: Diff[] = want.content instanceof Secret ? [] : [{ label: want.path, before: undefined, after: diffText(bytes) }];
  return writePlan(host, { want, bytes, diff, message, createParents: want.createParents, needs });
}

/** What chmod/chown would change, as a diff and as words ("mode 0644 → 0600"). */
function attributeChange(st: Extract<PathState, { kind: "file" }>, want: WantedFile): { diff: Diff[]; words: string } {
  const before = { mode: st.mode, owner: st.owner, group: st.group };
  const after = {
    mode: want.mode !== undefined ? normaliseMode(want.mode) : st.mode,
    owner: want.owner !== undefined && !sameAccount(want.owner, st.owner, st.uid) ? want.owner : st.owner,
    group: want.group !== undefined && !sameAccount(want.group, st.group, st.gid) ? want.group : st.group,
  };
  const changes = (["mode", "owner", "group"] as const).filter((k) => before[k] !== after[k]).map((k) => `${k} ${before[k]} → ${after[k]}`);
  if (changes.length === 0) return { diff: [], words: "" };
  return { diff: [{ label: `${want.path} (attributes)`, before, after }], words: changes.join(", ") };
}

function planExistingFile(
  host: TaskHost,
  target: { st: Extract<PathState, { kind: "file" }>; want: WantedFile; bytes: Buffer; sha: string },
): Plan<undefined> {
  const { st, want, bytes, sha } = target;
  const attrs = attributeChange(st, want);
  if (st.sha256 !== sha) {
    const contentDiff: Diff[] =
      want.content instanceof Secret ? [] : [{ label: want.path, before: beforeText(st), after: diffText(bytes) }];
    const head = want.summary ? `${want.path}: ${want.summary}` : `update ${want.path} (${st.size} → ${bytes.length} bytes)`;
    return writePlan(host, { want, bytes, diff: [...contentDiff, ...attrs.diff], message: attrs.words ? `${head}; ${attrs.words}` : head });
  }
  const steps = attributeSteps(st, want.path, want);
  if (steps.length) return changed(steps, { diff: attrs.diff, message: `${want.path}: ${attrs.words}` });
  return unchanged(`${want.path} is up to date`);
}

/**
 * Plan writing `want` over what `st` says is there: one atomic write when the content differs,
 * chmod/chown when only attributes do, nothing otherwise.
 */
export function planFileWrite(host: TaskHost, st: FileOrAbsent, want: WantedFile): Plan<undefined> {
  const bytes = contentBytes(want.content);
  const sha = createHash("sha256").update(bytes).digest("hex");
  return st.kind === "absent" ? planNewFile(host, { st, want, bytes }) : planExistingFile(host, { st, want, bytes, sha });
}
