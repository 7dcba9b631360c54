/**
 * A scripted connection for unit tests of the runner and task plans. It is a test double,
 * used only where the behaviour under test is bosun's own logic, not a host's; every task is
 * also tested end to end against real lab hosts over SSH.
 */
import type { CloseOptions, Connection, ExecResult } from "../../lib/core/connection.js";
import type { Command } from "../../lib/core/command.js";
import { stdinBytes } from "../../lib/core/command.js";

/** A reply to a command: exit code and output. */
export type Reply = Partial<Omit<ExecResult, "durationMs">>;

/** Records every command and answers with `respond`. */
export class FakeConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly executed: { text: string; stdin?: string }[] = [];
  opened = false;
  closed = false;
  /** What the runner passed to close(). */
  closedWith: CloseOptions | undefined;

  constructor(
    private readonly respond: (text: string) => Reply = () => ({}),
    readonly user = "root",
    private readonly openError?: Error,
  ) {}

  async open(): Promise<void> {
    if (this.openError) throw this.openError;
    this.opened = true;
  }

  async exec(command: Command): Promise<ExecResult> {
    const stdin = stdinBytes(command);
    this.executed.push({ text: command.text, stdin: stdin === undefined ? undefined : String(stdin) });
    const r = this.respond(command.text);
    return { code: r.code ?? 0, stdout: r.stdout ?? "", stderr: r.stderr ?? "", durationMs: 1 };
  }

  async close(options?: CloseOptions): Promise<void> {
    this.closed = true;
    this.closedWith = options;
  }
}
