/**
 * Command-line arguments of a playbook run: the options every playbook takes (as in
 * ansible-playbook) plus the playbook's own options, parsed strictly with `node:util` parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { PlaybookOption } from "../run/playbook.js";
import { parseShard, type Shard } from "../run/shard.js";
import { unsupportedAnsibleOption, type ConnectionOptions } from "./ansible-options.js";
import { BUILTIN, DEFAULT_FORKS, DEFAULT_INVENTORY } from "./builtin-options.js";
import { UsageError, usageErrorFrom } from "./usage-error.js";

export { DEFAULT_FORKS, DEFAULT_INVENTORY } from "./builtin-options.js";
export { UsageError } from "./usage-error.js";
export { usage, type UsageSubject } from "./usage.js";

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
