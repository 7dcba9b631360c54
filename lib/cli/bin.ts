#!/usr/bin/env node
/**
 * The `bosun` command (package.json `bin`). Minimal for now: its subcommands are modules of their
 * own, loaded when called. Playbooks still run as programs (`tsx playbooks/deploy.ts ...`).
 */
import { versionText } from "./version.js";

/** Subcommands by name: each loads its module and returns the exit code. */
const SUBCOMMANDS: Readonly<Record<string, { readonly summary: string; run(argv: readonly string[]): Promise<number> }>> = {
  "merge-reports": {
    summary: "Merge the --json reports of shard jobs into one recap, JSON document and JUnit file",
    run: async (argv) => (await import("./merge-reports.js")).runMergeReports(argv),
  },
  "forget-connections": {
    summary: "End every SSH connection kept for the next run (the next run logs in afresh)",
    run: async (argv) => (await import("./forget-connections.js")).runForgetConnections(argv),
  },
};

/** The `bosun --help` text. */
export function binUsage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`);
  return `Usage: bosun <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nPlaybooks run as programs: tsx playbooks/<name>.ts --help\n`;
}

/** Run `bosun` with `argv` (after the program name) and return the exit code. */
export async function runBin(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(binUsage());
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "-V") {
    process.stdout.write(`${versionText()}\n`);
    return 0;
  }
  // `bosun playbooks/deploy.ts --inventory cfa2`: compiled once, cached, run (lib/cli/playbook-file.ts).
  if (/\.[cm]?[jt]s$/.test(name)) return (await import("./playbook-file.js")).runPlaybookFile(name, rest);
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(`error: Unknown command "${name}"\n  hint: Run bosun --help to see the commands.\n`);
    return 1;
  }
  return command.run(rest);
}

process.exitCode = await runBin(process.argv.slice(2));
