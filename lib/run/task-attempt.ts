/**
 * One attempt of a task on a host: check (the plan), then, unless --check, apply the plan's steps
 * and let the task judge the outcome; the result is masked, and holds no output of a secret task.
 */
import type { ExecResult } from "../core/connection.js";
import type { Command } from "../core/command.js";
import { mask, maskDeep } from "../core/secrets.js";
import { isActionStep, mergeCommandSteps } from "../core/steps.js";
import type { Plan, TaskCall, TaskHost, TaskResult } from "../core/task.js";
import { settlePrerequisites } from "./prerequisites.js";
import { failureOf, planDiffs, stepFailed, wouldRun } from "./task-outcome.js";

/** The fields every result of a task call shares. */
export interface AttemptBase {
  readonly host: string;
  readonly task: string;
  readonly title: string;
  readonly location?: string;
}

/** What an attempt needs from its host. */
export interface AttemptHost {
  /** --check: plan only. */
  readonly checkMode: boolean;
  /** --diff. */
  readonly diffMode: boolean;
  /** Remote commands run on the host so far. */
  commands(): number;
  /** The task's view of the host. */
  readonly taskHost: TaskHost;
  /** Run the task's check (its commands may take answers sent ahead). */
  checking<T>(fn: () => Promise<T>): Promise<T>;
  /** Apply a plan (an interrupt lets it finish; answers sent ahead are dropped first). */
  applying<T>(fn: () => Promise<T>): Promise<T>;
  /** Run one command step of the plan. */
  exec(step: Command): Promise<ExecResult>;
}

/** True for a task whose output and commands are secret (its own setting, else its definition's). */
export function isSecretCall(call: TaskCall<unknown, unknown>): boolean {
  return call.options.secret ?? call.definition.secret ?? false;
}

/** Run attempt number `attempts` of `call` on `host`. */
export async function attemptTask<P, O>(
  host: AttemptHost,
  { call, base, attempts }: { call: TaskCall<P, O>; base: AttemptBase; attempts: number },
): Promise<TaskResult<O>> {
  const started = Date.now();
  const commandsBefore = host.commands();
  const secret = isSecretCall(call as TaskCall<unknown, unknown>);
  const { taskHost } = host;
  const finish = (r: Omit<TaskResult<O>, keyof typeof base | "durationMs" | "commands" | "attempts">): TaskResult<O> => ({
    ...base,
    ...r,
    message: r.message === undefined ? undefined : mask(r.message),
    output: r.output === undefined ? undefined : maskDeep(r.output),
    stdout: secret || r.stdout === undefined ? undefined : mask(r.stdout),
    stderr: secret || r.stderr === undefined ? undefined : mask(r.stderr),
    diff: secret ? undefined : r.diff,
    diffs: secret ? undefined : r.diffs,
    durationMs: Date.now() - started,
    commands: host.commands() - commandsBefore,
    attempts,
  });
  let plan: Plan<O>;
  try {
    plan = await host.checking(async () => settlePrerequisites(await call.definition.check(taskHost, call.params), taskHost));
  } catch (error) {
    return finish(failureOf(error));
  }
  if (!plan.changed) {
    const status = plan.skipped ? "skipped" : "ok";
    const { ran } = plan;
    return finish({ status, changed: false, failed: false, skipped: !!plan.skipped, message: plan.message, output: plan.output, ...ran });
  }
  const { diff, diffs: diffEntries } = planDiffs(plan, host.diffMode);
  if (host.checkMode) {
    const message = plan.message ?? wouldRun(plan);
    return finish({
      status: "changed",
      changed: true,
      failed: false,
      skipped: false,
      message,
      diff,
      diffs: diffEntries,
      output: plan.output,
    });
  }
  const stepResults: unknown[] = [];
  let last: ExecResult | undefined;
  try {
    await host.applying(async () => {
      for (const step of mergeCommandSteps(plan.steps)) {
        if (isActionStep(step)) {
          stepResults.push(await step.run(taskHost));
          continue;
        }
        last = await host.exec(step);
        stepResults.push(last);
        if (last.code !== 0) throw stepFailed(step, last);
      }
    });
  } catch (error) {
    return finish({
      ...failureOf(error),
      stdout: last?.stdout,
      stderr: last?.stderr,
      rc: last?.code,
      diff,
      diffs: diffEntries,
    });
  }
  const after = plan.finish?.(stepResults, taskHost) ?? {};
  if (after.failed !== undefined) {
    return finish({
      status: "failed",
      changed: false,
      failed: true,
      skipped: false,
      message: after.failed,
      output: after.output,
      stdout: last?.stdout,
      stderr: last?.stderr,
      rc: last?.code,
      diff,
      diffs: diffEntries,
    });
  }
  const didChange = after.changed ?? true;
  return finish({
    status: didChange ? "changed" : "ok",
    changed: didChange,
    failed: false,
    skipped: false,
    message: after.message ?? plan.message,
    output: after.output ?? plan.output,
    diff: didChange ? diff : undefined,
    diffs: didChange ? diffEntries : undefined,
    stdout: last?.stdout,
    stderr: last?.stderr,
    rc: last?.code,
  });
}
