/**
 * The typed events the runner emits. Renderers (listr2, plain lines, JSON) subscribe;
 * the core never prints. Every text in an event is already masked.
 */
import { EventEmitter } from "node:events";
import type { TaskResult } from "./task.js";
import type { RunReport } from "./report.js";

/** Every event and its payload. */
export interface RunEventMap {
  /** A playbook run starts. */
  runStart: { playbook: string; check: boolean; diff: boolean };
  /** A play starts on these hosts. */
  playStart: { play: string; hosts: readonly string[] };
  /** A host starts a play. */
  hostStart: { play: string; host: string };
  /** A task starts on a host. */
  taskStart: { play: string; host: string; task: string; title: string; location?: string };
  /** A task ended on a host. */
  taskEnd: { play: string; host: string; result: TaskResult };
  /** A remote command ran (masked text). */
  command: { host: string; text: string; code: number | null; durationMs: number };
  /** A message for `-v`. */
  log: { host: string; message: string };
  /** A host finished the play. */
  hostEnd: { play: string; host: string; status: "ok" | "failed" | "unreachable"; error?: string };
  /** A play ended. */
  playEnd: { play: string };
  /** The run ended. */
  runEnd: { report: RunReport };
}

/** The event bus of one run. */
export class RunEvents {
  readonly #emitter = new EventEmitter();
  /** Subscribe to one event. */
  on<K extends keyof RunEventMap>(event: K, listener: (payload: RunEventMap[K]) => void): this {
    this.#emitter.on(event, listener);
    return this;
  }
  /** Unsubscribe a listener given to {@link on}. */
  off<K extends keyof RunEventMap>(event: K, listener: (payload: RunEventMap[K]) => void): this {
    this.#emitter.off(event, listener);
    return this;
  }
  /** Emit an event. */
  emit<K extends keyof RunEventMap>(event: K, payload: RunEventMap[K]): void {
    this.#emitter.emit(event, payload);
  }
}
