/** Placeholder values left in an env file (`POSTGRES_PASSWORD=CHANGE_ME`): found by key, before the file is created. */

/** Values that mean "fill me in" (compared case-insensitively, anywhere in a value). */
export const DEFAULT_PLACEHOLDERS: readonly string[] = ["CHANGE_ME", "CHANGEME", "REPLACE_ME"];

/**
 * The keys of `KEY=value` lines (comments and blank lines skipped, `export KEY=` too) whose value
 * still holds one of `placeholders`, in file order.
 */
export function placeholderKeys(content: string, placeholders: readonly string[] = DEFAULT_PLACEHOLDERS): string[] {
  const wanted = placeholders.map((p) => p.toLowerCase());
  const keys: string[] = [];
  for (const line of content.split("\n")) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const value = (m[2] ?? "").toLowerCase();
    if (wanted.some((p) => value.includes(p))) keys.push(m[1]);
  }
  return keys;
}
