/** The error that stops a host's play when a task fails. */
import { BosunError } from "../core/errors.js";
import type { TaskResult } from "../core/task.js";

/** Raised by `host.run()` when a task fails (and ignoreErrors is not set): the play stops for this host. */
export class TaskFailedError extends BosunError {
  constructor(
    readonly result: TaskResult,
    context: { host: string; task: string; location?: string; hint?: string },
  ) {
    super(result.message ?? "failed", context);
    this.name = "TaskFailedError";
  }
}
