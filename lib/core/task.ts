/**
 * The task contract: typed params, a read-only `check` that returns a plan, and the runner
 * applying that plan unless it runs in check mode. A task cannot mutate in check mode because
 * the only way it can change a host is through the steps of the plan it returns.
 */
import type { Command } from "./command.js";
import type { Diff, DiffEntry } from "./diff.js";
import type { Fact } from "./fact.js";
import type { ExecResult } from "./connection.js";
import type { Vars } from "./vars.js";
import { BosunError, ParamsError } from "./errors.js";
import { callerLocation } from "./callsite.js";
import { validateAgainstSchema } from "./schema.js";

/** A step that is not a shell command (an HTTP call from the controller, a wait...). */
export interface ActionStep {
  /** What it does, for logs and check mode. */
  readonly label: string;
  /** Perform it; throw to fail the task. The value is kept in the step results. */
  run(host: TaskHost): Promise<unknown>;
}

/** One thing a plan does: a shell command on the host, or an action. */
export type Step = Command | ActionStep;

/** The host as a task's `check` sees it: read-only probes and context. */
export interface TaskHost {
  /** Inventory name of the host. */
  readonly name: string;
  /** The host's merged variables. */
  readonly vars: Vars;
  /**
   * True when the run is `--check`: nothing will be applied. Tasks rarely need it: a missing
   * prerequisite goes in the plan's `needs` and the runner handles check mode for it.
   */
  readonly checkMode: boolean;
  /** True when `--diff` asked for content diffs (tasks may fetch content for them). */
  readonly diffMode: boolean;
  /** Run a read-only command on the host (counted). Never rejects on non-zero exit. */
  exec(command: Command): Promise<ExecResult>;
  /** Run a fact probe on the host: one command and a parser. */
  fact<A, T>(probe: Fact<A, T>, arg: A): Promise<T>;
  /** An error that names this host and the running task, to `throw`. */
  fail(message: string, hint?: string): BosunError;
  /** Log a line under `-v`. */
  log(message: string): void;
  /** The run's interrupt signal: a task that waits (a lock, a readiness loop) ends its wait when it fires. */
  readonly signal?: AbortSignal;
}

/**
 * Something a plan needs that does not exist yet and that an earlier task of the same run may
 * create (a directory, a user, a package). The task declares it and plans as if it existed; the
 * runner decides: when applying, the task fails with `doing: missing` and the hint; with --check,
 * the plan is reported with a note, because the earlier task was only checked, not applied.
 */
export interface Prerequisite {
  /** What is missing, so that "yet" reads after it: `directory "/srv/app" does not exist`. */
  readonly missing: string;
  /** What the task cannot do without it: `Cannot write "/srv/app/x"`. */
  readonly doing: string;
  /** How to provide it: `create it first with ensureDir`. */
  readonly hint?: string;
}

/** The plan of a task that has nothing to do. */
export interface UnchangedPlan<O> {
  readonly changed: false;
  /** Why nothing needs doing. */
  readonly message?: string;
  /** The task's typed output. */
  readonly output?: O;
  /** Skip instead of ok (a precondition says this task does not apply). */
  readonly skipped?: boolean;
  /** Prerequisites an earlier task of the run may create (see {@link Prerequisite}). */
  readonly needs?: readonly Prerequisite[];
  /** The result of the check's command when that command was the task's work (a read-only probe): the task result's stdout/stderr/rc. */
  readonly ran?: { readonly stdout: string; readonly stderr: string; readonly rc: number | null };
}

/** The plan of a task that would change the host. */
export interface ChangedPlan<O> {
  readonly changed: true;
  /** What will be done, in order. */
  readonly steps: readonly Step[];
  /** What changes, for `--diff`. */
  readonly diff?: Diff | readonly Diff[];
  /** A one-line summary of the change. */
  readonly message?: string;
  /** The task's typed output; `finish` computes it from step results when given. */
  readonly output?: O;
  /** Prerequisites an earlier task of the run may create (see {@link Prerequisite}). */
  readonly needs?: readonly Prerequisite[];
  /** Compute the output from what the steps returned; may say the change did not happen after all, or fail the task (`failed`: why). */
  readonly finish?: (results: readonly unknown[], host: TaskHost) => { output?: O; changed?: boolean; message?: string; failed?: string };
}

/** What `check` returns. */
export type Plan<O = unknown> = UnchangedPlan<O> | ChangedPlan<O>;

/** A plan saying nothing needs doing. */
export function unchanged<O = undefined>(message?: string, output?: O): UnchangedPlan<O> {
  return { changed: false, message, output };
}

/** A plan that changes the host with these steps. */
export function changed<O = undefined>(steps: readonly Step[], extra: Omit<ChangedPlan<O>, "changed" | "steps"> = {}): ChangedPlan<O> {
  return { changed: true, steps, ...extra };
}

/** The plan with these prerequisites added (see {@link Prerequisite}). */
export function needing<P extends Plan<unknown>>(plan: P, needs: readonly Prerequisite[]): P {
  return needs.length ? { ...plan, needs: [...(plan.needs ?? []), ...needs] } : plan;
}

/** A plan saying the task does not apply here. */
export function skipped(message: string): UnchangedPlan<never> {
  return { changed: false, skipped: true, message };
}

/** What a task run reports. Also what `until` and `if` statements look at. */
export interface TaskResult<O = unknown> {
  /** Inventory name of the host. */
  readonly host: string;
  /** Task id such as `files.ensureDir`. */
  readonly task: string;
  /** Human title. */
  readonly title: string;
  /** ok, changed, skipped or failed. */
  readonly status: "ok" | "changed" | "skipped" | "failed";
  /** True when the task changed (or in check mode: would change) the host. */
  readonly changed: boolean;
  /** True when the task failed (also with ignoreErrors). */
  readonly failed: boolean;
  /** True when skipped (tags, or not applicable). */
  readonly skipped: boolean;
  /** A one-line summary or the error message (masked). */
  readonly message?: string;
  /** Rendered unified diff (only with --diff, never for secret tasks). */
  readonly diff?: string;
  /** The same changes as before/after text, as Ansible's json callback shows them (only with --diff, never for secret tasks). */
  readonly diffs?: readonly DiffEntry[];
  /** The task's typed output. */
  readonly output?: O;
  /** Output of the last command step (or the check command when nothing changed). */
  readonly stdout?: string;
  /** Error output of the last command step. */
  readonly stderr?: string;
  /** Exit code of the last command step. */
  readonly rc?: number | null;
  /** Wall time in milliseconds. */
  readonly durationMs: number;
  /** Remote commands this task ran. */
  readonly commands: number;
  /** Place in the playbook. */
  readonly location?: string;
  /** Attempts made (retries). */
  readonly attempts: number;
  /** A failure that `ignoreErrors` let pass. */
  readonly ignored?: boolean;
}

/** Options every task accepts, as Ansible users expect them. */
export interface TaskOptions {
  /** Title shown in progress and recap instead of the task's own. */
  readonly title?: string;
  /** Run with sudo (become); defaults to the host's `ansible_become`. */
  readonly sudo?: boolean;
  /** A failure is reported but the play goes on for this host. */
  readonly ignoreErrors?: boolean;
  /** Attempts after the first one when the task fails or `until` is false. */
  readonly retries?: number;
  /** Seconds between attempts (5). */
  readonly delay?: number;
  /** Retry until this holds for the result. */
  readonly until?: (result: TaskResult) => boolean;
  /** Tags for `--tags` / `--skip-tags`. */
  readonly tags?: readonly string[];
  /** Handlers to notify when the task changed something. */
  readonly notify?: string | readonly string[];
  /** Never print values, output or diffs of this task. */
  readonly secret?: boolean;
}

/** The keys of {@link TaskOptions}, split from task params at call time. */
export const TASK_OPTION_KEYS = ["title", "sudo", "ignoreErrors", "retries", "delay", "until", "tags", "notify", "secret"] as const;

/** A JSON Schema (subset used to validate params before anything runs). */
export type ParamsSchema = Record<string, unknown>;

/** How a task is defined: see STYLE.md. */
export interface TaskDefinition<P, O = undefined> {
  /** Stable id, `area.name`. */
  readonly id: string;
  /** One-line description for docs. */
  readonly description?: string;
  /** Title from params. */
  title(params: P): string;
  /** Calls are secret unless they say `secret: false` (no output or diff is printed). */
  readonly secret?: boolean;
  /** JSON Schema of the params (a `taskParams({...})` declaration, whose static type is `P`); checked before anything runs. */
  readonly schema?: ParamsSchema;
  /** Extra validation; return a message naming the parameter when invalid. */
  validate?(params: P): string | undefined;
  /** Read the host and return a plan. Must not change the host. */
  check(host: TaskHost, params: P): Promise<Plan<O>>;
}

/** A task with its params, ready for `host.run()`. Tasks are data. */
export interface TaskCall<P = unknown, O = unknown> {
  /** The definition. */
  readonly definition: TaskDefinition<P, O>;
  /** Task params (without the common options). */
  readonly params: P;
  /** The common options. */
  readonly options: TaskOptions;
  /** Where in the playbook it was declared. */
  readonly location?: string;
}

/** A task factory: call it with params (and common options) to get a {@link TaskCall}. */
export interface Task<P, O = undefined> {
  (params: P & TaskOptions): TaskCall<P, O>;
  /** The definition, for docs and introspection. */
  readonly definition: TaskDefinition<P, O>;
}

/** Define a task. Params are validated when the task is called, before anything runs. */
export function defineTask<P, O = undefined>(definition: TaskDefinition<P, O>): Task<P, O> {
  const declared = Object.keys(((definition.schema ?? {}) as { properties?: object }).properties ?? {});
  const clash = declared.filter((k) => (TASK_OPTION_KEYS as readonly string[]).includes(k));
  if (clash.length)
    throw new Error(`Cannot define ${definition.id}: parameter(s) ${clash.join(", ")} would be taken as common task options`);
  const factory = (input: P & TaskOptions): TaskCall<P, O> => {
    const location = callerLocation();
    if (input === null || typeof input !== "object") {
      throw new ParamsError(`Cannot use ${definition.id}: parameters must be an object`, { task: definition.id, location });
    }
    const options: Record<string, unknown> = {};
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) {
      if ((TASK_OPTION_KEYS as readonly string[]).includes(k)) options[k] = v;
      else params[k] = v;
    }
    validateParams(definition, params as P, location);
    return { definition, params: params as P, options: options as TaskOptions, location };
  };
  return Object.assign(factory, { definition });
}

function validateParams<P, O>(definition: TaskDefinition<P, O>, params: P, location?: string): void {
  const context = { task: definition.id, location };
  if (definition.schema) {
    const problem = validateAgainstSchema(definition.schema, params);
    if (problem) throw new ParamsError(`Cannot use ${definition.id}: ${problem}`, context);
  }
  const problem = definition.validate?.(params);
  if (problem) throw new ParamsError(`Cannot use ${definition.id}: ${problem}`, context);
}
