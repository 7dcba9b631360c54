/** Before/after differences rendered as unified diffs (with `--diff` only, so `diff` loads then). */
import { createRequire } from "node:module";
import { mask } from "./secrets.js";

const require = createRequire(import.meta.url);

/** What a change does to one thing: file content or a piece of state. */
export interface Diff {
  /** State or content before the change (`undefined`: did not exist). */
  readonly before?: unknown;
  /** State or content after the change (`undefined`: will not exist). */
  readonly after?: unknown;
  /** Label of the thing changed, e.g. the file path. */
  readonly label?: string;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes of binary content>\n`;
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A unified diff of before and after (masked), or "" when they are equal. */
export function renderDiff(diff: Diff): string {
  const label = diff.label ?? "state";
  const before = asText(diff.before);
  const after = asText(diff.after);
  if (before === after) return "";
  const { createTwoFilesPatch } = require("diff") as typeof import("diff");
  const patch = createTwoFilesPatch(
    diff.before === undefined ? "/dev/null" : `before: ${label}`,
    diff.after === undefined ? "/dev/null" : `after: ${label}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  return mask(patch.split("\n").slice(1).join("\n"));
}

/** One change as Ansible's json callback shows it: before and after as text, with headers (masked). */
export interface DiffEntry {
  /** Content or state before (empty when it did not exist). */
  readonly before: string;
  /** Content or state after (empty when it will not exist). */
  readonly after: string;
  /** What `before` is, e.g. the path. */
  readonly before_header: string;
  /** What `after` is. */
  readonly after_header: string;
}

/** The change as before/after text (for JSON reports), or undefined when nothing differs. */
export function diffEntry(diff: Diff): DiffEntry | undefined {
  const before = asText(diff.before);
  const after = asText(diff.after);
  if (before === after) return undefined;
  const label = diff.label ?? "state";
  return {
    before: mask(before),
    after: mask(after),
    before_header: diff.before === undefined ? "/dev/null" : label,
    after_header: diff.after === undefined ? "/dev/null" : label,
  };
}
