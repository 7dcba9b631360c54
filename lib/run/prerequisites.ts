/** How the runner settles a plan's prerequisites (core/task.ts `Prerequisite`): fail when applying, note when checking. */
import type { Plan, Prerequisite, TaskHost } from "../core/task.js";
import { describeCommand } from "../core/command.js";
import { isActionStep } from "../core/steps.js";

/** The note a --check run adds for a prerequisite that an earlier task of the run may still create. */
export function pendingNote(need: Prerequisite): string {
  return `${need.missing} yet, so applying fails unless an earlier task of this run provides it`;
}

/**
 * The plan as this run sees it. Applying (`host.checkMode` false): the first missing prerequisite
 * fails the task, before any step runs. Checking: an earlier task was checked but not applied, so
 * what it would create is missing now; the plan stands, its message noting each prerequisite.
 */
export function settlePrerequisites<O>(plan: Plan<O>, host: TaskHost): Plan<O> {
  const [first] = plan.needs ?? [];
  if (!first) return plan;
  if (!host.checkMode) throw host.fail(`${first.doing}: ${first.missing}`, first.hint);
  const notes = (plan.needs ?? []).map(pendingNote).join("; ");
  const wouldRun = plan.changed ? `would run: ${plan.steps.map((s) => (isActionStep(s) ? s.label : describeCommand(s))).join("; ")}` : "";
  const message = plan.message ?? wouldRun;
  return { ...plan, message: message ? `${message}; ${notes}` : notes };
}
