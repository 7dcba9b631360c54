/** `bosun forget-connections`: end every SSH connection kept for later runs (lib/connection/keeper/), now. */
import { forgetKeptConnections } from "../connection/keeper/forget.js";

/** Run the subcommand; returns the exit code. */
export async function runForgetConnections(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  if (argv.length > 0) {
    err.write(`error: bosun forget-connections takes no arguments (got ${argv.join(" ")})\n`);
    return 1;
  }
  const ended = await forgetKeptConnections();
  out.write(
    ended === undefined
      ? "No kept connections: no keeper is running.\n"
      : `Ended ${ended} kept connection(s); the next run logs in afresh.\n`,
  );
  return 0;
}
