/** Ctrl-C and SIGTERM during a run: the first interrupts (waits stop, clean-up runs), a later one stops at once. */
import { EXIT } from "../core/report.js";
import type { TextSink } from "./output.js";
import type { Renderer } from "./pick-renderer.js";

/**
 * Signals that arrive this soon after the first one are the same keypress: a terminal sends
 * SIGINT to the whole foreground group, and npx/tsx relay it to the run once more.
 */
export const SAME_INTERRUPT_MS = 1000;

/** Install the Ctrl-C (SIGINT) and SIGTERM handling of a run; returns the function that removes it. */
export function onInterrupt(controller: AbortController, renderer: Renderer, stderr: TextSink, tty: boolean): () => void {
  let first = 0;
  const handler = (): void => {
    if (!controller.signal.aborted) {
      first = Date.now();
      controller.abort();
      if (renderer.notice) renderer.notice("(interrupting: waits stop, clean-up runs; Ctrl-C again to stop now)");
      else stderr.write("\ninterrupting: the running tasks finish, nothing new starts (Ctrl-C again to stop now)\n");
      return;
    }
    if (Date.now() - first < SAME_INTERRUPT_MS) return;
    if (tty) process.stdout.write("\u001b[?25h");
    stderr.write("\ninterrupted: stopped at once; tasks may have been cut short\n");
    process.exit(EXIT.interrupted);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
