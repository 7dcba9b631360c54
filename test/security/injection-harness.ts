/**
 * The machinery of the injection tests: feed hostile values to one string slot of one task on a
 * lab host (check mode, then apply where safe), classify what happened, verify the literal result
 * on the host with commands of our own (injection-observe.ts), and look for canaries.
 */
import { createHash } from "node:crypto";
import { ParamsError } from "../../lib/core/errors.js";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import type { TaskRunner, LabTarget } from "../e2e/task-harness.js";
import { CANARY_PREFIX, hostileValues, localCanaries } from "./hostile-strings.js";
import { stampFake } from "./injection-fakes.js";
import { observe, treeScript, type Attempt, type Mismatch, type Observer, type Params } from "./injection-observe.js";
import { hostCanaries, remote } from "./injection-remote.js";
import type { AnyTask } from "./injection-slots.js";

export { component, noDotSegments, type Attempt, type Observer } from "./injection-observe.js";

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
  /** The first few messages of clean failures (check or apply), to see why values were refused. */
  failures: string[];
  durationMs: number;
}

/** A lab host as the harness needs it. */
export interface InjectionHost {
  readonly target: LabTarget;
  /** A runner (one SSH connection) per worker. */
  readonly runner: TaskRunner;
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
export async function fuzzSlot(host: InjectionHost, task: AnyTask, slot: string, fuzz: SlotFuzz, variant?: string): Promise<SlotReport> {
  const started = Date.now();
  const id = task.definition.id;
  const name = `${id}:${slot}${variant ? ` (${variant})` : ""}`;
  const report: SlotReport = {
    task: id,
    slot: variant ? `${slot} (${variant})` : slot,
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
    failures: [],
    durationMs: 0,
  };
  const note = (r: TaskResult): void => {
    if (report.failures.length < 3) report.failures.push(`#${r.title.slice(0, 60)}: ${(r.message ?? "").split("\n")[0]?.slice(0, 240)}`);
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
      note(result);
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
        note(result);
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
