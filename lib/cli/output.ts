/** Where the CLI writes text, and small formatting helpers shared by the renderers. */
import { mask } from "../core/secrets.js";

/** Anything text can be written to: `process.stdout`, or an array-backed sink in tests. */
export interface TextSink {
  /** Write a chunk of text (newlines included by the caller). */
  write(text: string): unknown;
}

/** A sink that masks every registered secret before writing (a second line of defence: events are masked already). */
export function maskedSink(sink: TextSink): TextSink {
  return { write: (text) => sink.write(mask(text)) };
}

/** A sink that drops everything. */
export const nullSink: TextSink = { write: () => true };

/** `350ms`, `3.2s`, `1m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  return `${minutes}m${String(total % 60).padStart(2, "0")}s`;
}

/** Indent every line after the first by `prefix` (for multi-line messages under a status line). */
export function indentRest(text: string, prefix: string): string {
  return text.replace(/\r?\n/g, `\n${prefix}`);
}

/** Indent every line of `text` by `prefix`, without a trailing newline. */
export function indentAll(text: string, prefix: string): string {
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

/** Drop a leading `[host] ` from an error text that is about to be printed after `[host]` anyway. */
export function withoutHost(text: string, host: string): string {
  const prefix = `[${host}] `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}
