/**
 * The command line of a playbook: `tsx playbooks/deploy.ts --inventory cfa2 [options]`.
 * Parses arguments, loads the inventory and extra vars, picks the renderers, runs the playbook,
 * prints the recap (or the JSON document) and returns the exit code.
 */
import path from "node:path";
import {
  ansibleSettings,
  limitWithAbsoluteFiles,
  loadInventorySources,
  parseExtraVars,
  setWarningSink,
  writeRetryFile,
} from "../inventory/index.js";
import { useVaultSecrets } from "../inventory/vault-keyring.js";
import { readVaultPasswords } from "../inventory/vault-passwords.js";
import type { Inventory, Vars } from "../inventory/types.js";
import { BosunError, InventoryError, describeError } from "../core/errors.js";
import { RunEvents } from "../core/events.js";
import type { Playbook } from "../run/playbook.js";
import { EXIT, type RunReport } from "../core/report.js";
import { runPlaybook } from "../run/runner.js";
import { selectedHosts } from "../run/selected-hosts.js";
import { mask } from "../core/secrets.js";
import { parseCliArgs, usage, UsageError, type CliArgs } from "./args.js";
import { connectionDefaults } from "./ansible-options.js";
import { formatHostList, formatTaskList } from "./listings.js";
import { versionText } from "./version.js";
import { recordTasks, type GatedTask } from "../run/task-gate.js";
import { onInterrupt } from "./interrupt.js";
import { pickRenderer } from "./pick-renderer.js";
import { taskGate } from "./task-gates.js";
import { promptHidden } from "../inventory/vault-prompt.js";
import { palette, wantsColor } from "./color.js";
import { exitCodeWithDrift } from "./drift.js";
import { JsonReporter } from "./json-reporter.js";
import { writeJunitFile } from "./junit-file.js";
import { maskedSink, type TextSink } from "./output.js";
import { formatRecap } from "./recap.js";

/** Where the CLI reads and writes; defaults are the process's. Tests pass sinks. */
export interface CliOptions {
  /** Progress, recap, JSON (process.stdout). */
  readonly stdout?: TextSink & { readonly isTTY?: boolean };
  /** Errors and notices (process.stderr). */
  readonly stderr?: TextSink & { readonly isTTY?: boolean };
  /** Directory for relative inventory and `@file` paths (process.cwd()). */
  readonly cwd?: string;
  /** The playbook's file, for its retry file (`deploy.ts` → `deploy.retry`; process.argv[1]). */
  readonly playbookPath?: string;
  /** How to call the playbook, for --help (`tsx <entry file>`). */
  readonly program?: string;
  /** Handle SIGINT (true): first Ctrl-C interrupts the run, second exits 130 at once. */
  readonly handleSignals?: boolean;
}

function defaultProgram(cwd: string): string {
  const entry = process.argv[1];
  return entry ? `tsx ${path.relative(cwd, entry) || entry}` : "tsx playbook.ts";
}

/** Print an error for the user: described and masked; a stack trace only under -vv for unexpected errors. */
function errorText(error: unknown, verbosity: number): string {
  const expected = error instanceof BosunError;
  const text = describeError(error, !expected && verbosity >= 2);
  return mask(expected ? `error: ${text}\n` : `error: ${text}\n${verbosity >= 2 ? "" : "  (run with -vv for the stack trace)\n"}`);
}

/** The inventory sources of a run: every `-i`, else ANSIBLE_INVENTORY or ansible.cfg's `inventory=`, else the default (`lab`). */
function inventorySources(args: CliArgs, cwd: string): readonly string[] {
  return args.inventorySources ?? ansibleSettings({ cwd }).inventory ?? [args.inventory];
}

/** Ansible's retry file (when retry_files_enabled is on): the failed and unreachable hosts, for `--limit @file`. */
function retryFailedHosts(report: RunReport, playbookPath: string | undefined, cwd: string, stderr: TextSink): void {
  const hosts = Object.entries(report.stats)
    .filter(([, s]) => s.failed > 0 || s.unreachable > 0)
    .map(([h]) => h);
  const written = writeRetryFile(playbookPath, hosts, ansibleSettings({ cwd }));
  if (written) stderr.write(`\tto retry, use: --limit @${path.relative(cwd, written) || written}\n`);
}

/** Load the inventory and vars; check that the hosts exist before anything runs. */
async function prepare(
  book: Playbook,
  args: CliArgs,
  cwd: string,
): Promise<{ inventory: Inventory; extraVars: Vars; defaultVars: Vars; hosts: number; selected: readonly string[]; limit?: string }> {
  // Vault passwords first: group_vars files and !vault values are decrypted while the inventory loads.
  useVaultSecrets(
    await readVaultPasswords({ vaultIds: args.vaultIds, passwordFiles: args.vaultPasswordFiles, askVaultPass: args.askVaultPass, cwd }),
  );
  const inventory = await loadInventorySources(inventorySources(args, cwd), { cwd });
  const fromCli = parseExtraVars(args.extraVars, cwd);
  // Playbook options are extra vars under their own names; an explicit -e of the same name wins.
  const extraVars: Vars = { ...args.playbookOptions, ...fromCli };
  // The selected hosts' connection and become settings, as the run will build them (`-e` included):
  // a bad one (e.g. an unset `!env` password) is a usage error before anything runs.
  // ansible-playbook's -u, -b, -k, -K, --private-key ...: defaults below the inventory, as in Ansible.
  const prompted = {
    ...(args.askPass ? { ssh: await promptHidden("SSH password: ") } : {}),
    ...(args.askBecomePass ? { become: await promptHidden("BECOME password: ") } : {}),
  };
  const defaultVars = connectionDefaults(args.connection, prompted);
  const limit = args.limit === undefined ? undefined : limitWithAbsoluteFiles(args.limit, cwd);
  const selected = selectedHosts(book, inventory, { limit, extraVars, defaultVars, shard: args.shard });
  // An empty shard is no error (its job has nothing to do); a --limit that leaves no host at all is.
  const limitedAway =
    selected.length === 0 && (!args.shard || selectedHosts(book, inventory, { limit, extraVars, defaultVars }).length === 0);
  if (args.limit !== undefined && limitedAway) {
    throw new UsageError(
      `Cannot run: --limit "${args.limit}" leaves no host to run on`,
      `The plays target ${book.plays.map((p) => `"${p.hosts}"`).join(", ")}.`,
    );
  }
  return { inventory, extraVars, defaultVars, hosts: selected.length, selected, limit };
}

export { SAME_INTERRUPT_MS } from "./interrupt.js";

/**
 * Run a playbook from the command line and return the exit code: 0 ok, 1 bad command line or
 * inventory (nothing ran), 2 a host failed, 4 a host was unreachable, 130 interrupted.
 */
export async function runCli(book: Playbook, argv: readonly string[], options: CliOptions = {}): Promise<number> {
  // Inventory and host-pattern warnings (Ansible's [WARNING]) go to this run's stderr, each once.
  const stderr = maskedSink(options.stderr ?? process.stderr);
  const shown = new Set<string>();
  const previous = setWarningSink((message) => {
    if (!shown.has(message)) stderr.write(`[WARNING]: ${message}\n`);
    shown.add(message);
  });
  try {
    return await runCliWithWarnings(book, argv, options);
  } finally {
    setWarningSink(previous);
  }
}

async function runCliWithWarnings(book: Playbook, argv: readonly string[], options: CliOptions): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const rawOut = options.stdout ?? process.stdout;
  const rawErr = options.stderr ?? process.stderr;
  const stdout = maskedSink(rawOut);
  const stderr = maskedSink(rawErr);
  let verbosity = argv.filter((a) => /^-v+$/.test(a)).reduce((n, a) => n + a.length - 1, 0);
  let args: CliArgs;
  let prepared: Awaited<ReturnType<typeof prepare>>;
  try {
    args = parseCliArgs(argv, book.options);
    verbosity = args.verbosity;
    if (args.help) {
      stdout.write(usage(book, options.program ?? defaultProgram(cwd)));
      return EXIT.ok;
    }
    if (args.version) {
      stdout.write(`${versionText()}\n`);
      return EXIT.ok;
    }
    prepared = await prepare(book, args, cwd);
  } catch (error) {
    stderr.write(errorText(error, verbosity));
    return EXIT.usage;
  }
  if (args.syntaxCheck) {
    stdout.write(`\nplaybook: ${book.name}\n`);
    return EXIT.ok;
  }
  if (args.list === "hosts") {
    stdout.write(formatHostList(book, prepared.inventory, (h) => prepared.selected.includes(h)));
    return EXIT.ok;
  }
  if (args.list) return listTasks(book, args, prepared, { stdout, stderr, verbosity });
  if (prepared.hosts === 0) {
    const none = args.shard ? `shard ${args.shard.index}/${args.shard.total} holds none of the selected hosts` : "no hosts matched";
    stderr.write(`${palette(wantsColor(rawErr.isTTY)).yellow(`warning: ${none}, nothing to do`)}\n`);
  }

  const tty = !!rawOut.isTTY;
  const events = new RunEvents();
  // listr2 draws on process.stdout itself, and nothing at all on a terminal of unknown width (e.g. under `script`).
  const live = tty && rawOut === process.stdout && (process.stdout.columns ?? 0) > 0;
  const renderer = await pickRenderer(args, { sink: stdout, tty, live }, { sink: stderr, tty: !!rawErr.isTTY });
  renderer.attach(events);
  const json =
    args.json || args.junit ? new JsonReporter({ failOnChange: args.failOnChange, shard: args.shard }).attach(events) : undefined;
  const controller = new AbortController();
  const removeInterrupt = options.handleSignals === false ? () => undefined : onInterrupt(controller, renderer, stderr, tty);
  let report: RunReport;
  try {
    report = await runPlaybook(book, {
      inventory: prepared.inventory,
      limit: prepared.limit,
      shard: args.shard,
      check: args.check,
      diff: args.diff,
      tags: args.tags,
      skipTags: args.skipTags,
      forks: args.forks,
      prefetch: args.prefetch,
      extraVars: prepared.extraVars,
      defaultVars: prepared.defaultVars,
      gate: taskGate(args),
      events,
      signal: controller.signal,
    });
  } catch (error) {
    await renderer.close().catch(() => undefined);
    removeInterrupt();
    stderr.write(errorText(error, verbosity));
    return error instanceof UsageError || error instanceof InventoryError ? EXIT.usage : EXIT.failed;
  }
  await renderer.close();
  removeInterrupt();
  const changed = Object.values(report.stats).reduce((n, s) => n + s.changed, 0);
  report.exitCode = exitCodeWithDrift({ exitCode: report.exitCode, check: report.check, failOnChange: args.failOnChange, changed });
  if (json && args.junit && !writeJunitFile(path.resolve(cwd, args.junit), json.document(report), stderr)) report.exitCode ||= EXIT.failed;
  if (json && args.json) stdout.write(json.format(report));
  else stdout.write(formatRecap(report, { verbosity: args.verbosity, color: wantsColor(tty) }));
  retryFailedHosts(report, options.playbookPath ?? process.argv[1], cwd, stderr);
  return report.exitCode;
}

/** `--list-tasks` / `--list-tags`: a read-only --check pass that records each host's tasks, then the list. */
async function listTasks(
  book: Playbook,
  args: CliArgs,
  prepared: Awaited<ReturnType<typeof prepare>>,
  io: { stdout: TextSink; stderr: TextSink; verbosity: number },
): Promise<number> {
  const recorded: GatedTask[] = [];
  const report = await runPlaybook(book, {
    inventory: prepared.inventory,
    limit: prepared.limit,
    shard: args.shard,
    check: true,
    tags: args.tags,
    skipTags: args.skipTags,
    forks: args.forks,
    extraVars: prepared.extraVars,
    defaultVars: prepared.defaultVars,
    gate: recordTasks(recorded),
  });
  const byPlay = new Map<string, GatedTask[]>();
  for (const t of recorded) byPlay.set(t.play, [...(byPlay.get(t.play) ?? []), t]);
  io.stdout.write(formatTaskList(book, byPlay, args.list === "tags"));
  for (const [host, error] of Object.entries(report.hostErrors)) io.stderr.write(`warning: ${host}: ${error}\n`);
  return report.exitCode === EXIT.ok ? EXIT.ok : report.exitCode;
}
