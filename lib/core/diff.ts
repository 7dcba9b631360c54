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
