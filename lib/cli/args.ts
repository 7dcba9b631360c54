/**
 * Command-line arguments of a playbook run: the options every playbook takes (as in
 * ansible-playbook) plus the playbook's own options, parsed strictly with `node:util` parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BosunError } from "../core/errors.js";
import type { PlaybookOption } from "../run/playbook.js";

/** What the command line asked for. */
export interface CliArgs {
  /** `--inventory`: an inventory name (`inventory/<name>.yml`) or a path; `lab` by default. */
  readonly inventory: string;
  /** `--limit` host pattern. */
  readonly limit?: string;
  /** `--check`: plan only. */
  readonly check: boolean;
  /** `--diff`: show content diffs. */
  readonly diff: boolean;
  /** `--tags`, comma lists flattened. */
  readonly tags: readonly string[];
  /** `--skip-tags`, comma lists flattened. */
  readonly skipTags: readonly string[];
  /** `--forks`: hosts at once (10). */
  readonly forks: number;
  /** `-e` values in the order given (`k=v`, JSON/YAML, `@file.yml`), parsed later by the inventory. */
  readonly extraVars: readonly string[];
  /** `--json`: one JSON document on stdout. */
  readonly json: boolean;
  /** Count of `-v` (`-vv` is 2). */
  readonly verbosity: number;
  /** `--help`. */
  readonly help: boolean;
  /** Values of the playbook's own options that were given, by option name. */
  readonly playbookOptions: Readonly<Record<string, string | boolean>>;
}

/** The command line is wrong; nothing ran. */
export class UsageError extends BosunError {
  constructor(message: string, hint = "Run with --help to see the options.") {
    super(message, { hint });
    this.name = "UsageError";
  }
}

/** One built-in option, for parsing and for --help. */
interface BuiltinOption {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly value?: string;
  readonly description: string;
}

/** Forks when `--forks` is not given. */
export const DEFAULT_FORKS = 10;
/** Inventory when `--inventory` is not given: the disposable local lab. */
export const DEFAULT_INVENTORY = "lab";

const BUILTIN: Readonly<Record<string, BuiltinOption>> = {
  inventory: {
    type: "string",
    short: "i",
    value: "name|path",
    description: `Inventory name (inventory/<name>.yml) or file (default: ${DEFAULT_INVENTORY})`,
  },
  limit: { type: "string", short: "l", value: "pattern", description: "Only these hosts: host, group, glob, !exclude, &intersect" },
  check: { type: "boolean", short: "C", description: "Report what would change; change nothing" },
  diff: { type: "boolean", short: "D", description: "Show the content changes" },
  tags: { type: "string", multiple: true, value: "tags", description: "Only tasks with one of these tags (comma list, repeatable)" },
  "skip-tags": { type: "string", multiple: true, value: "tags", description: "Skip tasks with one of these tags (comma list, repeatable)" },
  forks: { type: "string", short: "f", value: "n", description: `Hosts to run at once (default: ${DEFAULT_FORKS})` },
  "extra-vars": {
    type: "string",
    short: "e",
    multiple: true,
    value: "k=v|json|@file",
    description: "Extra variables, above all others (repeatable)",
  },
  json: { type: "boolean", description: "Print one JSON document (Ansible json callback shape) instead of progress" },
  verbose: { type: "boolean", short: "v", multiple: true, description: "Show remote commands and logs; -vv adds stack traces" },
  help: { type: "boolean", short: "h", description: "Show this help" },
};

function optionConfig(playbookOptions: Readonly<Record<string, PlaybookOption>>): NonNullable<ParseArgsConfig["options"]> {
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(BUILTIN)) {
    config[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  for (const [name, o] of Object.entries(playbookOptions)) {
    if (name in BUILTIN)
      throw new UsageError(
        `Cannot use playbook option --${name}: bosun defines --${name} itself`,
        "Rename the option in the playbook's `options`.",
      );
    if (!/^[A-Za-z][\w-]*$/.test(name))
      throw new UsageError(
        `Cannot use playbook option "${name}": option names are letters, digits, "-" and "_"`,
        "Rename the option in the playbook's `options`.",
      );
    config[name] = { type: o.type };
  }
  return config;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] as number;
      row[j] = Math.min(here + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] as number;
}

function suggestion(flag: string, names: readonly string[]): string | undefined {
  if (!flag.startsWith("--")) return undefined;
  const bare = flag.slice(2).split("=")[0] ?? "";
  const best = names.map((n) => ({ n, d: distance(bare, n) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(bare.length / 3)) ? `--${best.n}` : undefined;
}

/** Turn parseArgs' messages into one short sentence each. */
function usageErrorFrom(error: Error & { code?: string }, names: readonly string[]): UsageError {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const flag =
    quoted
      .split(/[ ,]+/)
      .filter((p) => p.startsWith("-"))
      .pop() ?? quoted;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = suggestion(flag, names);
      return new UsageError(`Unknown option ${flag}`, near ? `Did you mean ${near}? Run with --help to see the options.` : undefined);
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`Unexpected argument "${quoted}": a playbook takes options only`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(error.message)) return new UsageError(`Option ${flag} takes no value`);
      if (/ambiguous/.test(error.message))
        return new UsageError(`Option ${flag} needs a value; to pass one starting with "-", write ${flag}=VALUE`);
      return new UsageError(`Option ${flag} needs a value`);
    default:
      return new UsageError(error.message.split("\n")[0] ?? error.message);
  }
}

function commaList(values: unknown): string[] {
  return ((values as string[] | undefined) ?? [])
    .flatMap((v) => v.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
}

function parseForks(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FORKS;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new UsageError(`Option --forks needs a whole number of at least 1, not "${text}"`);
  return Number(text);
}

/**
 * Parse a playbook's command line. Throws {@link UsageError} for an unknown option, a missing
 * value or a bad number.
 */
export function parseCliArgs(argv: readonly string[], playbookOptions: Readonly<Record<string, PlaybookOption>> = {}): CliArgs {
  const options = optionConfig(playbookOptions);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageErrorFrom(error as Error & { code?: string }, Object.keys(options));
  }
  const limit = values.limit as string | undefined;
  if (limit !== undefined && limit.trim() === "") throw new UsageError("Option --limit needs a host pattern, not an empty string");
  const inventory = (values.inventory as string | undefined) ?? DEFAULT_INVENTORY;
  if (inventory.trim() === "") throw new UsageError("Option --inventory needs an inventory name or path, not an empty string");
  const own: Record<string, string | boolean> = {};
  for (const name of Object.keys(playbookOptions)) {
    const v = values[name];
    if (typeof v === "string" || typeof v === "boolean") own[name] = v;
  }
  return {
    inventory,
    limit,
    check: values.check === true,
    diff: values.diff === true,
    tags: commaList(values.tags),
    skipTags: commaList(values["skip-tags"]),
    forks: parseForks(values.forks as string | undefined),
    extraVars: (values["extra-vars"] as string[] | undefined) ?? [],
    json: values.json === true,
    verbosity: ((values.verbose as boolean[] | undefined) ?? []).length,
    help: values.help === true,
    playbookOptions: own,
  };
}

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
    "            4 a host was unreachable (none failed); 130 interrupted (Ctrl-C).",
    "Ctrl-C once lets the running tasks finish and stops; twice stops at once.",
    "",
  );
  return lines.join("\n");
}
