/**
 * Start the CLI from a playbook file, explicitly: its last line is `main(import.meta, deploy);`.
 * Run as a program (`tsx playbooks/deploy.ts --inventory cfa2`), or started by the program's
 * launcher (lib/cli/launch.ts), the CLI starts; imported (by site.ts, a test, a script) nothing happens.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Playbook } from "../run/playbook.js";
import { startConnectionsAhead } from "./start-hint.js";

/** The part of `import.meta` that {@link main} reads. */
export interface ModuleMeta {
  /** The module's file URL. */
  readonly url: string;
}

function realFile(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/** Where the program's launcher (lib/cli/launch.ts) records the playbook module it started: one per process, shared by every copy of this module. */
const LAUNCHED = Symbol.for("bosun.launchedPlaybook");

/** Record that `file` is the playbook module the program started (a launcher's definition, run compiled). */
export function markLaunched(file: string): void {
  (globalThis as Record<symbol, unknown>)[LAUNCHED] = realFile(file) ?? file;
}

/** True when the module of `meta` is the program node (or tsx) was asked to run, or the playbook module its launcher started. */
export function isProgram(meta: ModuleMeta, argv: readonly string[] = process.argv): boolean {
  const entry = argv[1];
  if (!entry || !meta.url.startsWith("file:")) return false;
  const self = realFile(fileURLToPath(meta.url));
  return self !== undefined && (self === realFile(entry) || self === (globalThis as Record<symbol, unknown>)[LAUNCHED]);
}

/**
 * Run the CLI for `book` with the process's arguments when the calling module is the program, and
 * set the exit code; resolves to it (undefined when the module was only imported).
 */
export async function main(meta: ModuleMeta, book: Playbook): Promise<number | undefined> {
  if (!isProgram(meta)) return undefined;
  await startConnectionsAhead(fileURLToPath(meta.url), process.argv.slice(2)); // unless its launcher did
  const { runCli } = await import("./main.js");
  const code = await runCli(book, process.argv.slice(2));
  process.exitCode = code;
  return code;
}
