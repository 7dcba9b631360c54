/**
 * Work the controller does while it waits on a host, instead of after the answer: once per process,
 * when the first batch of checks goes out, the template engine loads and compiles a small template
 * (about 15 ms under tsx that a playbook with a template would otherwise spend after its host
 * answered). The work waits two turns of the event loop, so that the batch is written first: a new
 * shell session sends its request on the turn after the batch was handed to it, and work done on
 * that same turn would hold the request up as long as it takes.
 */
import { warmTemplates } from "../template/index.js";

let warmed = false;

/** Warm, once per process, what the rest of a run is likely to need. */
export function warmWhileWaiting(): void {
  if (warmed) return;
  warmed = true;
  const warm = () => {
    try {
      warmTemplates();
    } catch {
      // Nothing to report here: the first template rendered for real reports any problem.
    }
  };
  afterNextTurn(warm);
}

/** Run `work` on the turn of the event loop after the next one: after what the next turn starts. */
export function afterNextTurn(work: () => void): void {
  setImmediate(() => setImmediate(work));
}
