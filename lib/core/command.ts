/**
 * Shell commands as data. Commands are built with the {@link sh} tagged template, which quotes
 * every interpolated value for POSIX `sh` (Debian's dash included): `'...'` with `'\''`.
 */
import { Secret, reveal } from "./secrets.js";

/** A command line for a remote POSIX shell, plus what it reads on stdin. */
export interface Command {
  /** The shell text, every interpolated value already quoted. */
  readonly text: string;
  /** Bytes written to the command's stdin (secrets travel here, never in argv). */
  readonly stdin?: string | Buffer | Secret;
  /** Run with sudo even when the task does not ask for it (false: never). */
  readonly sudo?: boolean;
  /** A short description for logs, used instead of the text when the text is long (e.g. scripts). */
  readonly label?: string;
}

/** Text inserted into a command without quoting; build it only from constants. */
export class RawShell {
  constructor(readonly text: string) {}
}

/** Mark a constant fragment (an operator, a redirection) to be inserted unquoted. */
export function raw(text: string): RawShell {
  return new RawShell(text);
}

/** Quote one value for POSIX sh. NUL cannot travel in argv, so it is refused. */
export function quote(value: string | number): string {
  const s = String(value);
  if (s.includes("\0")) throw new Error(`Cannot quote a value containing a NUL byte: ${JSON.stringify(s.slice(0, 40))}`);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A value that may be interpolated into {@link sh}. */
export type ShellValue = string | number | RawShell | Command | readonly (string | number)[] | undefined;

function render(value: ShellValue): string {
  if (value === undefined) return "";
  if (value instanceof RawShell) return value.text;
  if (value instanceof Secret) throw new Error("Cannot put a secret in a command line: pass it on stdin");
  if (Array.isArray(value)) return value.map((v) => quote(v)).join(" ");
  if (typeof value === "object") return (value as Command).text;
  return quote(value as string | number);
}

/**
 * Build a {@link Command}: every `${value}` is quoted; arrays become several quoted words;
 * nested commands and {@link raw} fragments are inserted as they are.
 * @example sh`mkdir -p -- ${path}`  // mkdir -p -- '/srv/my app'
 */
export function sh(strings: TemplateStringsArray, ...values: ShellValue[]): Command {
  let text = strings[0] ?? "";
  values.forEach((v, i) => {
    text += render(v) + (strings[i + 1] ?? "");
  });
  return { text };
}

/** The same command with stdin attached. */
export function withStdin(command: Command, stdin: string | Buffer | Secret): Command {
  return { ...command, stdin };
}

/** Join commands with `&&` into one. */
export function andThen(...commands: readonly Command[]): Command {
  return { text: commands.map((c) => c.text).join(" && ") };
}

/** The bytes a command writes to stdin, secrets revealed (for the connection only). */
export function stdinBytes(command: Command): string | Buffer | undefined {
  const s = command.stdin;
  if (s === undefined) return undefined;
  return s instanceof Secret ? reveal(s) : s;
}

/** How a command is shown in logs: its label or text (callers mask it). */
export function describeCommand(command: Command): string {
  return command.label ?? command.text;
}
