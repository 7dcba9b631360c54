/**
 * Work the controller does while it waits on a host, instead of after the answer: once per process,
 * when the first batch of checks goes out, the template engine loads and compiles a small template
 * (about 15 ms under tsx that a playbook with a template would otherwise spend after its host
 * answered). The work starts after the batch is written, on the next turn of the event loop.
 */
import { warmTemplates } from "../template/index.js";

let warmed = false;

/** Warm, once per process, what the rest of a run is likely to need. */
export function warmWhileWaiting(): void {
  if (warmed) return;
  warmed = true;
  setImmediate(() => {
    try {
      warmTemplates();
    } catch {
      // Nothing to report here: the first template rendered for real reports any problem.
    }
  });
}
