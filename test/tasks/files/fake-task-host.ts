/**
 * A TaskHost whose facts are canned, for unit tests of the pure planning in file tasks: facts in,
 * plan out. Every task is also tested end to end against lab hosts over real SSH.
 */
import type { ExecResult } from "../../../lib/core/connection.js";
import type { Command } from "../../../lib/core/command.js";
import { BosunError } from "../../../lib/core/errors.js";
import type { Plan, Step, TaskCall, TaskHost } from "../../../lib/core/task.js";
import { settlePrerequisites } from "../../../lib/run/prerequisites.js";

/** A TaskHost that answers every fact with `fact` and every exec with `exec`. */
export interface CannedHost extends TaskHost {
  /** Arguments of every fact call. */
  readonly factArgs: unknown[];
  /** Commands given to exec. */
  readonly executed: Command[];
  /** Lines logged. */
  readonly logs: string[];
}

/** Options of {@link cannedHost}. */
export interface CannedHostOptions {
  readonly checkMode?: boolean;
  readonly diffMode?: boolean;
  readonly vars?: Record<string, unknown>;
  readonly exec?: (command: Command) => Partial<ExecResult>;
}

/** Build a {@link CannedHost}. */
export function cannedHost(fact: unknown, options: CannedHostOptions = {}): CannedHost {
  const factArgs: unknown[] = [];
  const executed: Command[] = [];
  const logs: string[] = [];
  return {
    name: "h1",
    vars: options.vars ?? {},
    checkMode: !!options.checkMode,
    diffMode: options.diffMode ?? true,
    factArgs,
    executed,
    logs,
    async exec(command) {
      executed.push(command);
      const r = options.exec?.(command) ?? {};
      return { code: r.code ?? 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "", durationMs: 1 };
    },
    async fact<A, T>(_probe: unknown, arg: A): Promise<T> {
      factArgs.push(arg);
      return fact as T;
    },
    fail: (message, hint) => new BosunError(message, { host: "h1", hint }),
    log: (message) => void logs.push(message),
  };
}

/** Run a task call's check on a canned host, its prerequisites settled as the runner does (fail when applying, note when checking). */
export async function plan<P, O>(call: TaskCall<P, O>, host: TaskHost): Promise<Plan<O>> {
  return settlePrerequisites(await call.definition.check(host, call.params), host);
}

/** The text of each command step of a plan (label for action steps). */
export function stepTexts(p: Plan<unknown>): string[] {
  return p.changed ? p.steps.map((s: Step) => ("text" in s ? s.text : s.label)) : [];
}
