/**
 * A host for tasks that work from the controller (API calls): its connection is a recording
 * fake, so a test can assert that such a task runs no remote command at all, and every event the
 * run emits is kept, so a test can assert that a secret never reaches the output.
 */
import { inspect } from "node:util";
import { fakeHost } from "../host.js";
import type { TaskCall, TaskResult } from "../../../lib/core/task.js";
import { TaskFailedError } from "../../../lib/run/host.js";

/** A controller-side run: the host, what it emitted, and the results. */
export interface ControllerRun {
  /** Run a task; a failure is returned as a failed result. */
  run<P, O>(call: TaskCall<P, O>): Promise<TaskResult<O>>;
  /** Remote commands run (controller tasks run none). */
  readonly commands: readonly string[];
  /** Every event emitted, serialised. */
  readonly events: string[];
  /** Every result returned. */
  readonly results: TaskResult[];
}

/** A host (check mode or not) whose runs are recorded. */
export function controllerHost(options: { check?: boolean; diff?: boolean } = {}): ControllerRun {
  const { host, connection, events } = fakeHost({ check: options.check, diff: options.diff ?? true });
  const seen: string[] = [];
  for (const name of ["taskStart", "taskEnd", "command", "log"] as const) {
    events.on(name, (e: unknown) => seen.push(JSON.stringify(e)));
  }
  const results: TaskResult[] = [];
  return {
    async run(call) {
      try {
        const r = await host.run(call);
        results.push(r);
        return r;
      } catch (error) {
        if (error instanceof TaskFailedError) {
          results.push(error.result);
          return error.result as never;
        }
        throw error;
      }
    },
    get commands() {
      return connection.executed.map((c) => c.text);
    },
    events: seen,
    results,
  };
}

/** Everything a run produced, as one string to search for leaked secrets (results in full, output included). */
export function everythingPrinted(run: ControllerRun): string {
  return [...run.events, ...run.results.map((r) => JSON.stringify(r)), ...run.results.map((r) => inspect(r, { depth: 10 }))].join("\n");
}
