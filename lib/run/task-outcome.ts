/** Pieces of a task result that do not depend on the host: its diffs, its failure, what a check would run. */
import { describeCommand, type Command } from "../core/command.js";
import type { ExecResult } from "../core/connection.js";
import { diffEntry, renderDiff, type DiffEntry } from "../core/diff.js";
import { BosunError, CommandError, InterruptedError, UnreachableError, describeError } from "../core/errors.js";
import { isActionStep } from "../core/steps.js";
import type { ChangedPlan } from "../core/task.js";

/** A failed task's result fields. */
export interface FailedOutcome {
  readonly status: "failed";
  readonly changed: false;
  readonly failed: true;
  readonly skipped: false;
  readonly message: string;
}

/** The plan's changes as one unified diff and as before/after entries; both undefined without --diff. */
export function planDiffs(plan: ChangedPlan<unknown>, diffMode: boolean): { diff?: string; diffs?: DiffEntry[] } {
  if (!diffMode) return {};
  const all = plan.diff === undefined ? [] : Array.isArray(plan.diff) ? plan.diff : [plan.diff];
  const text = all
    .map((d) => renderDiff(d))
    .filter(Boolean)
    .join("\n");
  return { diff: text || undefined, diffs: all.flatMap((d) => diffEntry(d) ?? []) };
}

/** `would run: ...` for a plan under --check. */
export function wouldRun(plan: ChangedPlan<unknown>): string {
  return `would run: ${plan.steps.map((s) => (isActionStep(s) ? s.label : describeCommand(s))).join("; ")}`;
}

/** The error of a step that exited non-zero, with the last lines it printed. */
export function stepFailed(step: Command, result: ExecResult): CommandError {
  const why = (result.stderr || result.stdout).trim().split("\n").slice(-5).join("\n");
  return new CommandError(`Command failed with exit ${result.code}: ${describeCommand(step)}${why ? `\n${why}` : ""}`, result);
}

/**
 * A task's failure as result fields (the message masked later, like every output). Unreachable and
 * interrupted are not a task's failure: they are thrown on, to stop the host.
 */
export function failureOf(error: unknown): FailedOutcome {
  if (error instanceof UnreachableError || error instanceof InterruptedError) throw error;
  const message =
    error instanceof BosunError ? error.message + (error.context.hint ? `\n  hint: ${error.context.hint}` : "") : describeError(error);
  return { status: "failed", changed: false, failed: true, skipped: false, message };
}
