/**
 * The machinery of the injection tests: feed hostile values to one string slot of one task on a
 * lab host (check mode, then apply where safe), classify what happened, verify the literal result
 * on the host with commands of our own, and look for canaries.
 */
import { posix } from "node:path";
import { createHash } from "node:crypto";
import { ParamsError } from "../../lib/core/errors.js";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import { labSshOptions } from "../../lib/lab/index.js";
import { runProcess } from "../../lib/lab/process.js";
import type { TaskRunner, LabTarget } from "../e2e/task-harness.js";
import { CANARY_DIR, CANARY_PREFIX, hostileValues, localCanaries, type Hostile } from "./hostile-strings.js";
import { parseFakeRuns, readFakeRuns, stampFake, type FakeRun } from "./injection-fakes.js";
import type { AnyTask } from "./injection-slots.js";

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

/** How one slot is fuzzed. */
export interface SlotFuzz {
  /** The task's params with `value` in this slot; `index` makes names unique. */
  readonly params: (value: string, index: number) => Params;
  /** Shape the hostile value before use (a path component, a URL path...). */
  readonly shape?: (value: string) => string;
  /** Also apply (not only --check). */
  readonly apply?: boolean;
  /** How to verify applied attempts. */
  readonly observe?: Observer;
  /** Let NUL bytes into the values (text that travels on stdin). */
  readonly nul?: boolean;
  /** Without apply: observe what the --check runs did (e.g. a read-only probe a stand-in recorded). */
  readonly observeChecks?: boolean;
  /** Generated values (besides the classics); default {@link DEFAULT_RUNS}. */
  readonly runs?: number;
  /** How many of the classics (all by default). */
  readonly classics?: number;
  /** Shell run once before the batch, with the attempts (e.g. to create files to remove). */
  readonly prepare?: (attempts: readonly Attempt[]) => { script: string; stdin?: Buffer } | undefined;
}

/** The injection case of one task. */
export interface TaskCase {
  /** Slots fuzzed. */
  readonly fuzz: Readonly<Record<string, SlotFuzz>>;
  /** Slots not fuzzed, and why (not a string that reaches the host, shell text by design...). */
  readonly excused?: Readonly<Record<string, string>>;
}

/** Generated values per slot unless the slot says otherwise. */
export const DEFAULT_RUNS = 20;

/** What happened to the values of one slot. */
export interface SlotReport {
  task: string;
  slot: string;
  tried: number;
  /** Refused by the task's params check (ParamsError) before anything ran. */
  rejected: number;
  /** Refused while planning, before any command carried the value (e.g. a NUL byte refused by quoting). */
  refusedAtQuoting: number;
  /** The check ran (check mode) and failed cleanly (e.g. "not installed", an invalid value the host's tool refused). */
  checkFailed: number;
  /** Check mode only; planned without error. */
  checked: number;
  /** Of those, the ones whose read-only probe was observed to carry the literal value. */
  checkedLiteral: number;
  /** Applied; the host shows exactly the literal value. */
  appliedLiteral: number;
  /** Applied; nothing observable to compare. */
  appliedUnobserved: number;
  /** Apply ran and failed cleanly (the host's tool refused the value). */
  applyFailed: number;
  /** Canaries found (must be 0). */
  canaries: number;
  /** Literal mismatches (must be empty). */
  mismatches: Mismatch[];
  /** Check-mode runs that changed the host (must be empty). */
  checkModeChanges: string[];
  durationMs: number;
}

/** A lab host as the harness needs it. */
export interface InjectionHost {
  readonly target: LabTarget;
  /** A runner (one SSH connection) per worker. */
  readonly runner: TaskRunner;
}

/** Run a shell command on the lab host as root over a multiplexed system ssh (never through bosun). */
export async function remote(
  target: LabTarget,
  script: string,
  stdin?: Buffer | string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mux = ["-o", "ControlMaster=auto", "-o", "ControlPersist=120", "-o", "ControlPath=/tmp/bosun-inj-%C"];
  return runProcess(["ssh", ...labSshOptions(target.sshPort), ...mux, "root@127.0.0.1", script], {
    input: stdin ?? "",
    allowFailure: true,
  });
}

/** Canary files on the host (names). */
export async function hostCanaries(target: LabTarget): Promise<string[]> {
  const r = await remote(target, `ls -1A ${CANARY_DIR} | grep -e '^${CANARY_PREFIX}' || true`);
  return r.stdout.split("\n").filter(Boolean);
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
function treeScript(root: string): string {
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

function isQuotingRefusal(result: TaskResult): boolean {
  return result.failed && /Cannot quote a value containing a NUL byte|must not contain a NUL|without NUL/.test(result.message ?? "");
}

/** A task run; an error thrown past the task contract (not a failed result) is recorded as a defect. */
async function contained(run: () => Promise<TaskResult>, report: SlotReport, attempt: Attempt): Promise<TaskResult | undefined> {
  try {
    return await run();
  } catch (error) {
    report.mismatches.push({
      index: attempt.index,
      value: attempt.value,
      problem: `the run threw instead of failing the task: ${String(error).slice(0, 200)}`,
    });
    return undefined;
  }
}

/** Feed the hostile values of one slot to a task; never throws for what the task does, only for harness faults. */
export async function fuzzSlot(host: InjectionHost, task: AnyTask, slot: string, fuzz: SlotFuzz): Promise<SlotReport> {
  const started = Date.now();
  const id = task.definition.id;
  const name = `${id}:${slot}`;
  const report: SlotReport = {
    task: id,
    slot,
    tried: 0,
    rejected: 0,
    refusedAtQuoting: 0,
    checkFailed: 0,
    checked: 0,
    checkedLiteral: 0,
    appliedLiteral: 0,
    appliedUnobserved: 0,
    applyFailed: 0,
    canaries: 0,
    mismatches: [],
    checkModeChanges: [],
    durationMs: 0,
  };
  const attempts: Attempt[] = hostileValues(name, fuzz.runs ?? DEFAULT_RUNS, { nul: fuzz.nul }, fuzz.classics).map((hostile, index) => ({
    index,
    hostile,
    value: fuzz.shape ? fuzz.shape(hostile.value) : hostile.value,
  }));
  // The stand-ins' records of this slot are the ones made after this stamp.
  const stamp = createHash("sha256").update(name).digest("hex").slice(0, 16);
  const prep = fuzz.prepare?.(attempts);
  const setup = [fuzz.observe?.kind === "fake" ? stampFake(stamp) : "", prep?.script ?? ""].filter(Boolean).join("\n");
  if (setup) {
    const r = await remote(host.target, setup, prep?.stdin);
    if (r.code !== 0) throw new Error(`Cannot prepare ${name}: ${r.stderr || r.stdout}`);
  }
  // Phase 1: params check and --check for every value; the host must not change.
  const before = fuzz.observe?.kind === "tree" ? await remote(host.target, treeScript(fuzz.observe.root)) : undefined;
  const planned: { attempt: Attempt; call: TaskCall<unknown, unknown>; result: TaskResult }[] = [];
  for (const attempt of attempts) {
    report.tried++;
    let call: TaskCall<unknown, unknown>;
    try {
      call = (task as unknown as (p: Params) => TaskCall<unknown, unknown>)(fuzz.params(attempt.value, attempt.index));
    } catch (error) {
      if (error instanceof ParamsError) {
        report.rejected++;
        continue;
      }
      throw error;
    }
    const result = await contained(() => host.runner.run(call, { check: true }), report, attempt);
    if (!result) continue;
    if (result.failed) {
      if (isQuotingRefusal(result)) report.refusedAtQuoting++;
      else report.checkFailed++;
      continue;
    }
    planned.push({ attempt, call, result });
  }
  if (before && fuzz.observe?.kind === "tree") {
    const after = await remote(host.target, treeScript(fuzz.observe.root));
    if (after.stdout !== before.stdout) report.checkModeChanges.push(`--check changed the tree under ${fuzz.observe.root}`);
  }
  // Phase 2: apply what planned cleanly (where the slot says applying is safe).
  const applied: { attempt: Attempt; result: TaskResult }[] = [];
  if (!fuzz.apply) {
    report.checked = planned.length;
    if (fuzz.observeChecks) applied.push(...planned);
  } else {
    for (const { attempt, call } of planned) {
      const result = await contained(() => host.runner.run(call), report, attempt);
      if (!result) continue;
      if (result.failed) {
        if (isQuotingRefusal(result)) report.refusedAtQuoting++;
        else report.applyFailed++;
        continue;
      }
      applied.push({ attempt, result });
    }
  }
  if (fuzz.observe) {
    report.mismatches.push(...(await observe(host.target, fuzz.observe, { applied, attempts }, stamp)));
    const literal = applied.length - new Set(report.mismatches.filter((m) => m.index >= 0).map((m) => m.index)).size;
    if (fuzz.apply) report.appliedLiteral = literal;
    else report.checkedLiteral = literal;
  } else if (fuzz.apply) report.appliedUnobserved = applied.length;
  const canaries = new Set(attempts.map((a) => `${CANARY_PREFIX}${a.hostile.canary}`));
  const found = [...(await hostCanaries(host.target)), ...localCanaries()].filter((c) => canaries.has(c));
  report.canaries = found.length;
  report.durationMs = Date.now() - started;
  return report;
}
