/**
 * Command-line arguments of a playbook run: the options every playbook takes (as in
 * ansible-playbook) plus the playbook's own options, parsed strictly with `node:util` parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { BosunError } from "../core/errors.js";
import type { PlaybookOption } from "../run/playbook.js";
import { parseShard, type Shard } from "../run/shard.js";
import { unsupportedAnsibleOption, type ConnectionOptions } from "./ansible-options.js";

/** What the command line asked for. */
export interface CliArgs {
  /** `--inventory`: the first one given (a name under `inventory/`, a file, a directory or `host1,host2,`); `lab` by default. */
  readonly inventory: string;
  /** Every `-i`/`--inventory` in order, when given (see lib/inventory/sources.ts); absent: ANSIBLE_INVENTORY, ansible.cfg, else `inventory`. */
  readonly inventorySources?: readonly string[];
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
  /** `--junit FILE`: JUnit XML written there. */
  readonly junit?: string;
  /** `--fail-on-change`: a `--check` run that finds changes exits 3. */
  readonly failOnChange: boolean;
  /** `--shard i/n`: only the hosts of shard i of n (after `--limit`). */
  readonly shard?: Shard;
  /** Count of `-v` (`-vv` is 2). */
  readonly verbosity: number;
  /** `--help`. */
  readonly help: boolean;
  /** False with `--no-prefetch`: every check goes live (see lib/run/prefetch.ts). */
  readonly prefetch: boolean;
  /** `--vault-id [label@]source` values in order (see lib/inventory/vault-passwords.ts). */
  readonly vaultIds: readonly string[];
  /** `--vault-password-file` values in order. */
  readonly vaultPasswordFiles: readonly string[];
  /** `--ask-vault-pass` / `-J`: prompt for the vault password. */
  readonly askVaultPass: boolean;
  /** Values of the playbook's own options that were given, by option name. */
  readonly playbookOptions: Readonly<Record<string, string | boolean>>;
  /** `-u`, `-b`, `--private-key`, `-c` ...: defaults below the inventory, as in Ansible. */
  readonly connection: ConnectionOptions;
  /** `-k`: ask for the SSH password. */
  readonly askPass: boolean;
  /** `-K`: ask for the sudo password. */
  readonly askBecomePass: boolean;
  /** `--list-hosts`, `--list-tasks` or `--list-tags`: list instead of running. */
  readonly list?: "hosts" | "tasks" | "tags";
  /** `--syntax-check`: check the command line and the playbook, run nothing. */
  readonly syntaxCheck: boolean;
  /** `--start-at-task NAME`: skip each host's tasks before the first one with this title (or id). */
  readonly startAtTask?: string;
  /** `--step`: confirm each task before it runs. */
  readonly step: boolean;
  /** `--version`. */
  readonly version: boolean;
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
    multiple: true,
    value: "source",
    description: `Inventory: a file (YAML or INI), a directory, host1,host2, or a name under inventory/; repeatable (default: ANSIBLE_INVENTORY, ansible.cfg inventory=, else ${DEFAULT_INVENTORY})`,
  },
  limit: { type: "string", short: "l", value: "pattern", description: "Only these hosts: host, group, glob, !exclude, &intersect" },
  check: { type: "boolean", short: "C", description: "Report what would change; change nothing" },
  diff: { type: "boolean", short: "D", description: "Show the content changes" },
  tags: {
    type: "string",
    short: "t",
    multiple: true,
    value: "tags",
    description: "Only tasks with one of these tags (comma list, repeatable)",
  },
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
  junit: { type: "string", value: "file", description: "Write JUnit XML to <file>: one testcase per host and task" },
  "fail-on-change": { type: "boolean", description: "With --check: exit 3 when something would change (drift)" },
  shard: { type: "string", value: "i/n", description: "Only the hosts of shard i of n (stable hashing of host names; after --limit)" },
  verbose: { type: "boolean", short: "v", multiple: true, description: "Show remote commands and logs; -vv adds stack traces" },
  help: { type: "boolean", short: "h", description: "Show this help" },
  "no-prefetch": { type: "boolean", description: "Run every check live instead of sending the last run's checks ahead" },
  "vault-id": {
    type: "string",
    multiple: true,
    value: "label@source",
    description: "Vault password: a file, a script or prompt (repeatable)",
  },
  "vault-password-file": { type: "string", multiple: true, value: "file", description: "Vault password file or script (repeatable)" },
  "ask-vault-pass": { type: "boolean", short: "J", description: "Ask for the vault password (no echo)" },
  user: { type: "string", short: "u", value: "user", description: "Log in as this user where the inventory sets no ansible_user" },
  become: { type: "boolean", short: "b", description: "Run tasks with sudo where the inventory sets no ansible_become" },
  "become-user": { type: "string", value: "user", description: "User to become (bosun becomes root only)" },
  "ask-become-pass": { type: "boolean", short: "K", description: "Ask for the sudo password (no echo)" },
  "become-password-file": { type: "string", value: "file", description: "Read the sudo password from a file" },
  "ask-pass": { type: "boolean", short: "k", description: "Ask for the SSH password (no echo)" },
  "connection-password-file": { type: "string", value: "file", description: "Read the SSH password from a file" },
  "private-key": { type: "string", value: "file", description: "SSH private key where the inventory sets none (alias --key-file)" },
  "key-file": { type: "string", value: "file", description: "Same as --private-key" },
  connection: { type: "string", short: "c", value: "ssh|local", description: "Connection type where the inventory sets none" },
  timeout: { type: "string", short: "T", value: "seconds", description: "SSH connection timeout where the inventory sets none" },
  "ssh-common-args": { type: "string", value: "args", description: "ssh options (-o ProxyCommand=..., -o ProxyJump=..., -J ...)" },
  "ssh-extra-args": { type: "string", value: "args", description: "More ssh options, after --ssh-common-args" },
  "list-hosts": { type: "boolean", description: "List each play's hosts and exit (no host is contacted)" },
  "list-tasks": { type: "boolean", description: "List each host's tasks as a --check pass runs them (read-only), and exit" },
  "list-tags": { type: "boolean", description: "List the tags of those tasks and exit" },
  "syntax-check": { type: "boolean", description: "Check the command line and the playbook, run nothing" },
  "start-at-task": { type: "string", value: "title", description: "Skip each host's tasks before the first with this title (or task id)" },
  step: { type: "boolean", description: "Confirm each task before it runs: (y)es, (n)o, (c)ontinue without asking" },
  version: { type: "boolean", description: "Print bosun's version and exit" },
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

/** Options whose values are ssh arguments, so always start with "-": `--ssh-common-args -o X` reads as `--ssh-common-args=-o X`. */
const DASH_VALUED = new Set(["--ssh-common-args", "--ssh-extra-args"]);

function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (DASH_VALUED.has(arg) && i + 1 < argv.length) out.push(`${arg}=${argv[++i]}`);
    else out.push(arg);
  }
  return out;
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
  const unsupported = unsupportedAnsibleOption(argv);
  if (unsupported) throw new UsageError(`bosun does not take ${unsupported.option}: ${unsupported.instead}`);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: joinDashValues(argv), options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw usageErrorFrom(error as Error & { code?: string }, Object.keys(options));
  }
  const limit = values.limit as string | undefined;
  if (limit !== undefined && limit.trim() === "") throw new UsageError("Option --limit needs a host pattern, not an empty string");
  const inventories = (values.inventory as string[] | undefined) ?? [];
  if (inventories.some((i) => i.trim() === ""))
    throw new UsageError("Option --inventory needs an inventory name or path, not an empty string");
  const inventory = inventories[0] ?? DEFAULT_INVENTORY;
  const junit = values.junit as string | undefined;
  if (junit !== undefined && junit.trim() === "") throw new UsageError("Option --junit needs a file name, not an empty string");
  if (values["fail-on-change"] === true && values.check !== true)
    throw new UsageError("Option --fail-on-change needs --check", "Drift is what a --check run finds: run with --check --fail-on-change.");
  const shardText = values.shard as string | undefined;
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shardText !== undefined && !shard)
    throw new UsageError(
      `Option --shard needs i/n with 1 <= i <= n, not "${shardText}"`,
      'In GitLab: --shard "$CI_NODE_INDEX/$CI_NODE_TOTAL".',
    );
  const own: Record<string, string | boolean> = {};
  for (const name of Object.keys(playbookOptions)) {
    const v = values[name];
    if (typeof v === "string" || typeof v === "boolean") own[name] = v;
  }
  return {
    inventory,
    ...(inventories.length ? { inventorySources: inventories } : {}),
    limit,
    check: values.check === true,
    diff: values.diff === true,
    tags: commaList(values.tags),
    skipTags: commaList(values["skip-tags"]),
    forks: parseForks(values.forks as string | undefined),
    extraVars: (values["extra-vars"] as string[] | undefined) ?? [],
    json: values.json === true,
    ...(junit !== undefined ? { junit } : {}),
    failOnChange: values["fail-on-change"] === true,
    ...(shard ? { shard } : {}),
    verbosity: ((values.verbose as boolean[] | undefined) ?? []).length,
    help: values.help === true,
    prefetch: values["no-prefetch"] !== true,
    vaultIds: (values["vault-id"] as string[] | undefined) ?? [],
    vaultPasswordFiles: (values["vault-password-file"] as string[] | undefined) ?? [],
    askVaultPass: values["ask-vault-pass"] === true,
    playbookOptions: own,
    connection: connectionOptions(values),
    askPass: values["ask-pass"] === true,
    askBecomePass: values["ask-become-pass"] === true,
    ...listing(values),
    syntaxCheck: values["syntax-check"] === true,
    ...(typeof values["start-at-task"] === "string" ? { startAtTask: values["start-at-task"] } : {}),
    step: values.step === true,
    version: values.version === true,
  };
}

function connectionOptions(values: Record<string, unknown>): ConnectionOptions {
  const text = (name: string): string | undefined => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const timeout = text("timeout");
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError(`Option --timeout needs whole seconds, not "${timeout}"`);
  const connection = text("connection");
  if (connection !== undefined && !["ssh", "local", "smart", "paramiko"].includes(connection))
    throw new UsageError(`Option --connection takes ssh or local, not "${connection}"`, "bosun connects over SSH (ssh2) or runs locally.");
  const becomeUser = text("become-user");
  if (becomeUser !== undefined && becomeUser !== "root")
    throw new UsageError(
      `Option --become-user "${becomeUser}": bosun becomes root only`,
      "Use sudo -u inside a command task to run as another user.",
    );
  const entries: [keyof ConnectionOptions, unknown][] = [
    ["user", text("user")],
    ["become", values.become === true ? true : undefined],
    ["becomeUser", becomeUser],
    ["privateKey", text("private-key") ?? text("key-file")],
    ["connection", connection === "smart" || connection === "paramiko" ? "ssh" : connection],
    ["timeout", timeout],
    ["sshCommonArgs", text("ssh-common-args")],
    ["sshExtraArgs", text("ssh-extra-args")],
    ["connectionPasswordFile", text("connection-password-file")],
    ["becomePasswordFile", text("become-password-file")],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as ConnectionOptions;
}

function listing(values: Record<string, unknown>): { list?: CliArgs["list"] } {
  const asked = (["hosts", "tasks", "tags"] as const).filter((l) => values[`list-${l}`] === true);
  if (asked.length > 1) throw new UsageError(`Options ${asked.map((l) => `--list-${l}`).join(" and ")} cannot be combined`);
  return asked[0] ? { list: asked[0] } : {};
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
    "            3 --check --fail-on-change found changes; 4 a host was unreachable (none failed);",
    "            130 interrupted (Ctrl-C).",
    "Ctrl-C once lets the running tasks finish and stops; twice stops at once.",
    "",
  );
  return lines.join("\n");
}
