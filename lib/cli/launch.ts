/**
 * A playbook's program file that starts its definition compiled. `tsx playbooks/deploy.ts` then
 * loads a handful of small modules and runs playbooks/deploy/playbook.ts from the compile cache
 * (lib/cli/playbook-file.ts: one module with lazy chunks, compiled again when any input changed),
 * instead of tsx loading the definition's ~200 source files one by one (about 0.3 s of every start).
 * The definition ends with `main(import.meta, book)`, which starts the CLI for the launched module
 * as it would for the program; `process.argv` is left as typed (usage text, retry file). A
 * definition that cannot be compiled is imported from source, so tsx reports the error as it would.
 * Before the playbook loads, the launcher starts the SSH handshakes of the hosts the same command
 * logged in to last time (lib/connection/early-handshake.ts), unless a keeper may hold them.
 *
 *   // playbooks/deploy.ts
 *   await launchPlaybook(import.meta, "./deploy/playbook.ts");
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { isProgram, markLaunched, type ModuleMeta } from "./entry.js";
import { cachedPlaybook, compileCacheDir } from "./compile-cache.js";
import { startConnectionsAhead } from "./start-hint.js";

/** When the module of `meta` is the program, run the playbook module at `definition` (relative to it), compiled. */
export async function launchPlaybook(meta: ModuleMeta, definition: string, argv: readonly string[] = process.argv): Promise<void> {
  if (!isProgram(meta, argv)) return;
  const file = fileURLToPath(new URL(definition, meta.url));
  markLaunched(file);
  const ahead = startConnectionsAhead(file, argv.slice(2)); // they go on while the playbook compiles or loads
  let module = file;
  try {
    // A compilation still good is all a start reads; the compiler loads only when one is needed.
    const cacheDir = compileCacheDir(file);
    module = cachedPlaybook(file, cacheDir) ?? (await (await import("./playbook-file.js")).compilePlaybook(file, cacheDir));
    process.setSourceMapsEnabled(true);
  } catch {
    // Not compiled (a syntax error, an unwritable cache): the source, through tsx, says what is wrong.
  }
  await ahead;
  await import(pathToFileURL(module).href);
}
