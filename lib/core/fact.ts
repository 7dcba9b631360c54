/** Facts: read-only probes of a host, a command and a pure parser of its output. */
import type { Command } from "./command.js";
import type { ExecResult } from "./connection.js";

/** A read-only probe: one command and a pure parser of what it printed. */
export interface Fact<A, T> {
  /** Stable id, `area.name`. */
  readonly id: string;
  /** The command that reads the host. */
  command(arg: A): Command;
  /** Turn the command's result into a typed value; pure, so it is unit-testable. */
  parse(result: ExecResult, arg: A): T;
}

/** Define a fact probe. */
export function defineFact<A, T>(fact: Fact<A, T>): Fact<A, T> {
  return fact;
}
