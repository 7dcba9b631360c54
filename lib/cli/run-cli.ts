/**
 * {@link runCli} for lib/index.ts: the CLI (arguments, renderers, reporters) is loaded when it is
 * called, so `import "bosun"` in a script that only uses runPlaybook or openHost does not load it.
 */
import type { Playbook } from "../run/playbook.js";
import type { CliOptions } from "./main.js";

/**
 * Run a playbook from the command line and return the exit code: 0 ok, 1 bad command line or
 * inventory (nothing ran), 2 a host failed, 4 a host was unreachable, 130 interrupted.
 */
export async function runCli(book: Playbook, argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const cli = await import("./main.js");
  return cli.runCli(book, argv, options);
}
