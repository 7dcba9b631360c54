/**
 * Line edits of gitlab-runner's config.toml: only the lines that differ change, the rest of the
 * file (tokens included) is never read by the controller. Each edit checks that the line it
 * changes still holds what the check read, then rewrites the file through a temp file with the
 * same mode; gitlab-runner reloads config.toml by itself.
 */
import { sh, raw, type Command } from "../../core/command.js";
import type { ConfigValue } from "../../facts/gitlab-runner.js";

/** A TOML assignment with the indentation of the line it replaces. */
export function tomlLine(previous: string | undefined, key: string, value: string | number | boolean): string {
  const indent = previous === undefined ? "" : (/^\s*/.exec(previous)?.[0] ?? "");
  return `${indent}${key} = ${typeof value === "string" ? JSON.stringify(value) : String(value)}`;
}

// Rewrites "$f" with awk reading NEW from the environment (awk -v would interpret backslashes).
function rewrite(program: string): Command {
  return sh`t=$(mktemp "$f.bosun.XXXXXX") && NEW="$new" awk -v n="$n" ${program} "$f" > "$t" && chmod --reference="$f" -- "$t" && chown --reference="$f" -- "$t" && mv -f -- "$t" "$f" || { rm -f -- "$t"; exit 1; }`;
}

function guard(): Command {
  return raw(
    `[ "$(sed -n "\${n}p" "$f")" = "$old" ] || { printf 'bosun: line %s of %s changed since it was read; not editing it (run again)\\n' "$n" "$f" >&2; exit 1; }`,
  );
}

/** Replace line `at.line` (which must still read `at.text`) by `text`. */
export function replaceLine(file: string, at: ConfigValue<unknown>, text: string): Command {
  return sh`f=${file}; n=${at.line}; old=${at.text}; new=${text}; ${guard()}; ${rewrite('NR == n { print ENVIRON["NEW"]; next } { print }')}`;
}

/** Where {@link insertAfter} inserts, and what. */
export interface LineInsert {
  /** The line number to insert after. */
  readonly line: number;
  /** What that line must still read. */
  readonly expected: string;
  /** The line to insert. */
  readonly text: string;
}

/** Insert `text` after line `line` (which must still read `expected`). */
export function insertAfter(file: string, { line, expected, text }: LineInsert): Command {
  return sh`f=${file}; n=${line}; old=${expected}; new=${text}; ${guard()}; ${rewrite('{ print } NR == n { print ENVIRON["NEW"] }')}`;
}

/**
 * Set the global `concurrent` to `value` by pattern (for right after a registration, when line
 * numbers are not known): the first line `concurrent = ...` is replaced, or one is added on top.
 */
export function setConcurrent(file: string, value: number): Command {
  const replace = '!done && /^concurrent[ \\t]*=/ { print ENVIRON["NEW"]; done = 1; next } { print }';
  const prepend = 'NR == 1 { print ENVIRON["NEW"] } { print }';
  return sh`f=${file}; n=0; new=${tomlLine(undefined, "concurrent", value)}; if grep -q ${"^concurrent[ \t]*="} "$f"; then ${rewrite(replace)}; else ${rewrite(prepend)}; fi`;
}
