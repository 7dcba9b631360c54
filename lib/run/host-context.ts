/** What a host gets from its run (context, handlers) and the error that stops a host's play. */
import { BosunError } from "./errors.js";
import type { RunEvents } from "./events.js";
import type { Host } from "./host.js";
import type { TaskResult } from "./task.js";

/** A handler: what runs once at the end of the play when notified. */
export type Handler = (host: Host) => Promise<unknown>;

/** What a host needs from the run it belongs to. */
export interface HostRunContext {
  /** Play name (for events). */
  readonly play: string;
  /** --check. */
  readonly checkMode: boolean;
  /** --diff. */
  readonly diffMode: boolean;
  /** --tags (empty: all). */
  readonly tags: readonly string[];
  /** --skip-tags. */
  readonly skipTags: readonly string[];
  /** The event bus. */
  readonly events: RunEvents;
  /** Handlers of the play, in definition order. */
  readonly handlers: ReadonlyMap<string, Handler>;
  /** Set when the run is interrupted: no new task starts. */
  readonly signal?: AbortSignal;
}

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
