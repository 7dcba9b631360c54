/** The --help text, generated from the built-in options and the playbook's own. */
import type { PlaybookOption } from "../run/playbook.js";
import { BUILTIN } from "./builtin-options.js";

/** What {@link usage} needs to know about the playbook. */
export interface UsageSubject {
  /** Playbook name. */
  readonly name: string;
  /** Names of its plays. */
  readonly plays?: readonly { readonly name: string }[];
  /** Its own CLI options. */
  readonly options: Readonly<Record<string, PlaybookOption>>;
}

function optionLines(entries: readonly (readonly [string, string])[], width: number): string[] {
  return entries.map(([left, text]) => `  ${left.padEnd(width)}  ${text}`);
}

/** The --help text, generated from the built-in options and the playbook's own. */
export function usage(book: UsageSubject, program = "tsx playbook.ts"): string {
  const builtin = Object.entries(BUILTIN).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` <${o.value}>` : ""}`;
    return [flag, o.description] as const;
  });
  const own = Object.entries(book.options).map(
    ([name, o]) => [`    --${name}${o.type === "string" ? " <value>" : ""}`, o.description] as const,
  );
  const plays = book.plays?.map((p) => p.name).filter((n) => n !== book.name) ?? [];
  const firstString = Object.entries(book.options).find(([, o]) => o.type === "string")?.[0];
  const width = Math.min(36, Math.max(...[...builtin, ...own].map(([left]) => left.length)));
  const lines = [
    `Usage: ${program} [options]`,
    "",
    `Run the "${book.name}" playbook${plays.length ? ` (plays: ${plays.join(", ")})` : ""} against the hosts of an inventory.`,
    "",
    "Options:",
    ...optionLines(builtin, width),
  ];
  if (own.length)
    lines.push("", `Options of ${book.name} (their values land in the variables under their names; -e wins):`, ...optionLines(own, width));
  lines.push(
    "",
    "Examples:",
    `  ${program} --inventory cfa2${firstString ? ` --${firstString} <value>` : ""}`,
    `  ${program} -i cfa2 --check --diff`,
    `  ${program} -i inventory/staging.yml --limit 'web*:!web3' -e @vars.yml -e release=42`,
    `  ${program} -i cfa2 --json > run.json`,
    "",
    "Exit codes: 0 all hosts ok; 1 bad command line or inventory (nothing ran); 2 a host failed;",
    "            3 --check --fail-on-change found changes; 4 a host was unreachable (none failed);",
    "            130 interrupted (Ctrl-C).",
    "Ctrl-C once lets the running tasks finish and stops; twice stops at once.",
    "",
  );
  return lines.join("\n");
}
