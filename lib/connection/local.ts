/** The local connection (zx): commands run on this machine with /bin/sh, like Ansible's `local`. */
import os from "node:os";
import { stdinBytes, type Command } from "../core/command.js";
import type { Connection, ExecResult } from "../core/connection.js";

/** Run commands on the controller itself. */
export class LocalConnection implements Connection {
  readonly kind = "local" as const;
  readonly user = os.userInfo().username;

  async open(): Promise<void> {}

  async exec(command: Command): Promise<ExecResult> {
    const started = Date.now();
    const input = stdinBytes(command);
    // detached: Ctrl-C in a terminal signals the whole process group; a running command must finish.
    const { $ } = await import("zx"); // loaded on first use: most runs never use a local connection
    const run = $({ nothrow: true, quiet: true, verbose: false, input: input ?? "", detached: true });
    const out = await run`/bin/sh -c ${command.text}`;
    return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr, durationMs: Date.now() - started };
  }

  async close(): Promise<void> {}
}
