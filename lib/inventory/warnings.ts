/**
 * Warnings about an inventory or a host pattern that Ansible gives and carries on after (a key it
 * skips, a pattern that matches nothing). They go to one sink: by default stderr as
 * `[WARNING]: ...`, each distinct message once; the CLI or a test can install its own.
 */

/** Receives one warning. */
export type WarningSink = (message: string) => void;

const shown = new Set<string>();

function stderrSink(message: string): void {
  if (shown.has(message)) return;
  shown.add(message);
  process.stderr.write(`[WARNING]: ${message}\n`);
}

let sink: WarningSink = stderrSink;

/** Send `message` to the current sink. */
export function warnInventory(message: string): void {
  sink(message);
}

/** Install `next` as the sink (undefined restores stderr); returns the previous one. */
export function setWarningSink(next: WarningSink | undefined): WarningSink {
  const previous = sink;
  sink = next ?? stderrSink;
  return previous;
}
