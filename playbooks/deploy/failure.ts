/** How a deploy says why it failed: one line per cause, for the error and the release history. */

/**
 * One line from a failed task's message: its first line, plus the last line of the output it
 * quotes when there is one (compose's progress lines in between and hints are dropped).
 * @example failureReason("Cannot run migrator: exit 1\n Container db Running\nmigration 42 failed\n  hint: ...") // "Cannot run migrator: exit 1: migration 42 failed"
 */
export function failureReason(message: string | undefined): string {
  const lines = (message ?? "failed")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("hint:"));
  if (lines.length <= 1) return lines[0] ?? "failed";
  return `${lines[0]}: ${lines[lines.length - 1]}`;
}
