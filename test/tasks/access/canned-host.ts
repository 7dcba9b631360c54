/**
 * A TaskHost whose one fact is canned, for unit tests of access task plans: state in, plan out.
 * Every task is also tested end to end against lab hosts over real SSH.
 */
import { BosunError } from "../../../lib/core/errors.js";
import type { Plan, TaskCall, TaskHost } from "../../../lib/core/task.js";
import { settlePrerequisites } from "../../../lib/run/prerequisites.js";

/** A TaskHost answering every fact with `fact`. */
export function cannedHost(fact: unknown, options: { checkMode?: boolean } = {}): TaskHost {
  return {
    name: "h1",
    vars: {},
    checkMode: !!options.checkMode,
    diffMode: true,
    exec: async () => ({ code: 0, stdout: "", stderr: "", durationMs: 1 }),
    fact: async <T>(): Promise<T> => fact as T,
    fail: (message, hint) => new BosunError(message, { host: "h1", hint }),
    log: () => undefined,
  };
}

/** Run a task call's check on a host, its prerequisites settled as the runner does (fail when applying, note when checking). */
export async function plan<P, O>(call: TaskCall<P, O>, host: TaskHost): Promise<Plan<O>> {
  return settlePrerequisites(await call.definition.check(host, call.params), host);
}

/** The command texts of a plan (empty when unchanged). */
export function commandTexts(p: Plan<unknown>): string[] {
  return p.changed ? p.steps.map((s) => ("text" in s ? s.text : s.label)) : [];
}
