/**
 * How a slot's literal results are read back from the host with our own commands: a file tree
 * (type, sha256, link target), the output of a snippet of ours, a task's own result, what a
 * stand-in program recorded, or what a local HTTP stand-in received.
 */
import { posix } from "node:path";
import { createHash } from "node:crypto";
import type { TaskResult } from "../../lib/core/task.js";
import type { LabTarget } from "../e2e/task-harness.js";
import type { Hostile } from "./hostile-strings.js";
import { parseFakeRuns, readFakeRuns, type FakeRun } from "./injection-fakes.js";
import { remote } from "./injection-remote.js";

/** Task parameters as plain data. */
export type Params = Record<string, unknown>;

/** One hostile value, its index in the batch, and the value as the slot uses it. */
export interface Attempt {
  readonly index: number;
  readonly hostile: Hostile;
  /** The hostile value after the slot's shaping (e.g. no ".." path segment). */
  readonly value: string;
}

/** Everything a slot's observer may look at after the batch. */
export interface Observed {
  /** The applied attempts and their task results. */
  readonly applied: readonly { readonly attempt: Attempt; readonly result: TaskResult }[];
  /** Every attempt (applied or not). */
  readonly attempts: readonly Attempt[];
}

/** A literal mismatch: which attempt, what was expected, what the host shows. */
export interface Mismatch {
  readonly index: number;
  readonly value: string;
  readonly problem: string;
}

/** How a slot's literal results are verified after the batch (on the host, with our own commands). */
export type Observer =
  /** A file tree under `root`: every applied attempt's entry exists exactly, nothing else does. */
  | { readonly kind: "tree"; readonly root: string; readonly entry: (a: Attempt) => TreeEntry | readonly TreeEntry[] }
  /** Our own shell snippet per attempt (built from the index only) whose output must equal `expect`. */
  | {
      readonly kind: "script";
      readonly snippet: (a: Attempt) => string;
      /** The exact output wanted... */
      readonly expect?: (a: Attempt) => string | Buffer;
      /** ...or a judge of the output: a problem, or undefined when it shows the literal value. */
      readonly judge?: (output: Buffer, a: Attempt) => string | undefined;
    }
  /** The task result itself (e.g. a command's stdout). */
  | { readonly kind: "result"; readonly check: (r: TaskResult, a: Attempt) => string | undefined }
  /** What a stand-in program recorded: `match` finds the run of each attempt; `check` judges it. */
  | {
      readonly kind: "fake";
      readonly tool: string;
      readonly check: (runs: readonly FakeRun[], a: Attempt) => string | undefined;
    }
  /** Something on the controller side (an HTTP stand-in's records). */
  | { readonly kind: "custom"; readonly check: (a: Attempt, r: TaskResult) => string | undefined | Promise<string | undefined> };

/** An entry of a tree observer, relative to its root. */
export interface TreeEntry {
  /** Path relative to the root (normalised). */
  readonly path: string;
  /** f: regular file, d: directory, l: symbolic link, absent: must not exist. */
  readonly type: "f" | "d" | "l" | "absent";
  /** Exact content of a file. */
  readonly content?: string | Buffer;
  /** Exact target of a link. */
  readonly target?: string;
}

/** The value with `/..` and `/.` segments made harmless, so a path stays under its root. */
export function noDotSegments(value: string): string {
  return value
    .split("/")
    .map((s) => (s === ".." || s === "." ? `_${s}` : s))
    .join("/");
}

/** The value as one path component (no "/"; "." and ".." made harmless). */
export function component(value: string): string {
  const v = value.replace(/\//g, "\u2215");
  return v === "." || v === ".." || v === "" ? `_${v}` : v;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Shell that lists a tree: type, relative path, and a file's sha256 or a link's target, NUL-separated, base64. */
export function treeScript(root: string): string {
  const q = `'${root.replace(/'/g, `'\\''`)}'`;
  return `if [ -d ${q} ]; then find ${q} -mindepth 1 \\( -type f -printf 'f\\0%P\\0' -exec sh -c 'sha256sum < "$1" | cut -c1-64 | tr -d "\\n"' sh {} \\; -printf '\\0' \\) -o -printf '%y\\0%P\\0%l\\0' | base64 -w0; fi`;
}

interface TreeItem {
  readonly type: string;
  readonly path: string;
  readonly extra: string;
}

function parseTree(stdout: string): TreeItem[] {
  const fields = Buffer.from(stdout.trim(), "base64").toString("utf8").split("\0");
  const out: TreeItem[] = [];
  for (let i = 0; i + 2 < fields.length; i += 3) out.push({ type: fields[i] ?? "", path: fields[i + 1] ?? "", extra: fields[i + 2] ?? "" });
  return out;
}

function prefixesOf(p: string): string[] {
  const parts = p.split("/");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Normalise a relative path the way the file system resolves it (no "..": see {@link noDotSegments}). */
export function normal(relative: string): string {
  const n = posix.normalize(relative).replace(/\/+$/, "");
  return n === "." ? "" : n;
}

async function observeTree(target: LabTarget, o: Extract<Observer, { kind: "tree" }>, seen: Observed): Promise<Mismatch[]> {
  const r = await remote(target, treeScript(o.root));
  const items = parseTree(r.stdout);
  const byPath = new Map(items.map((i) => [i.path, i]));
  const mismatches: Mismatch[] = [];
  const allowed = new Set<string>();
  const entries = (a: Attempt): readonly TreeEntry[] => {
    const e = o.entry(a);
    return Array.isArray(e) ? e : [e as TreeEntry];
  };
  for (const a of seen.attempts) {
    for (const e of entries(a)) {
      const p = normal(e.path);
      allowed.add(p);
      for (const pre of prefixesOf(p)) allowed.add(pre);
    }
  }
  for (const { attempt } of seen.applied)
    for (const want of entries(attempt)) {
      const path = normal(want.path);
      const got = byPath.get(path);
      const problem =
        want.type === "absent"
          ? got
            ? `still exists (${got.type})`
            : undefined
          : !got
            ? `missing: ${JSON.stringify(path)} (found ${items.length} entries)`
            : got.type !== want.type
              ? `is a ${got.type}, not a ${want.type}`
              : want.content !== undefined && got.extra !== sha256(want.content)
                ? `content differs (sha256 ${got.extra.slice(0, 12)}, want ${sha256(want.content).slice(0, 12)})`
                : want.target !== undefined && got.extra !== want.target
                  ? `link points to ${JSON.stringify(got.extra)}, not ${JSON.stringify(want.target)}`
                  : undefined;
      if (problem) mismatches.push({ index: attempt.index, value: attempt.value, problem });
    }
  for (const item of items) {
    if (!allowed.has(item.path))
      mismatches.push({ index: -1, value: "", problem: `unexpected ${item.type} ${JSON.stringify(item.path)} under ${o.root}` });
  }
  return mismatches;
}

async function observeScript(target: LabTarget, o: Extract<Observer, { kind: "script" }>, seen: Observed): Promise<Mismatch[]> {
  if (!seen.applied.length) return [];
  const script = seen.applied
    .map(({ attempt }) => `printf '@@%s\\n' ${attempt.index}; { ${o.snippet(attempt)}\n} 2>&1 | base64 -w0; echo`)
    .join("\n");
  const r = await remote(target, script);
  const outputs = new Map<number, Buffer>();
  const lines = r.stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@(\d+)$/.exec(lines[i] ?? "");
    if (m) outputs.set(Number(m[1]), Buffer.from(lines[i + 1] ?? "", "base64"));
  }
  const mismatches: Mismatch[] = [];
  for (const { attempt } of seen.applied) {
    const got = outputs.get(attempt.index) ?? Buffer.alloc(0);
    if (o.judge) {
      const problem = o.judge(got, attempt);
      if (problem) mismatches.push({ index: attempt.index, value: attempt.value, problem });
      continue;
    }
    const want = o.expect?.(attempt) ?? "";
    const wantBytes = Buffer.isBuffer(want) ? want : Buffer.from(want, "utf8");
    if (!got.equals(wantBytes))
      mismatches.push({
        index: attempt.index,
        value: attempt.value,
        problem: `host shows ${JSON.stringify(got.toString("utf8").slice(0, 300))}, want ${JSON.stringify(wantBytes.toString("utf8").slice(0, 300))}`,
      });
  }
  return mismatches;
}

/** Verify the applied attempts of a slot; returns the mismatches. */
export async function observe(target: LabTarget, o: Observer, seen: Observed, stamp: string): Promise<Mismatch[]> {
  switch (o.kind) {
    case "tree":
      return observeTree(target, o, seen);
    case "script":
      return observeScript(target, o, seen);
    case "result":
      return seen.applied.flatMap(({ attempt, result }) => {
        const problem = o.check(result, attempt);
        return problem ? [{ index: attempt.index, value: attempt.value, problem }] : [];
      });
    case "fake": {
      const r = await remote(target, readFakeRuns(o.tool, stamp));
      const runs = parseFakeRuns(o.tool, r.stdout);
      return seen.applied.flatMap(({ attempt }) => {
        const problem = o.check(runs, attempt);
        return problem ? [{ index: attempt.index, value: attempt.value, problem }] : [];
      });
    }
    case "custom": {
      const out: Mismatch[] = [];
      for (const { attempt, result } of seen.applied) {
        const problem = await o.check(attempt, result);
        if (problem) out.push({ index: attempt.index, value: attempt.value, problem });
      }
      return out;
    }
  }
}
