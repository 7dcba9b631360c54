/** Wrapping commands with sudo: `sudo -n`, or the become password on stdin (`sudo -S`). */
import { quote, stdinBytes, type Command } from "./command.js";
import { BosunError } from "./errors.js";

/** How sudo is invoked on a host, decided once per connection. */
export type SudoMode = { readonly kind: "none" } | { readonly kind: "nopasswd" } | { readonly kind: "password"; readonly password: string };

/** Wrap a command so it runs as root through sudo; the password (if any) is the first line of stdin. */
export function wrapWithSudo(command: Command, mode: SudoMode): Command {
  if (mode.kind === "none") return command;
  const inner = quote(command.text);
  if (mode.kind === "nopasswd") return { ...command, text: `sudo -n -H -- sh -c ${inner}` };
  const rest = stdinBytes(command);
  const stdin = Buffer.concat([Buffer.from(`${mode.password}\n`), Buffer.from(rest ?? "")]);
  return { ...command, text: `sudo -S -p '' -H -- sh -c ${inner}`, stdin };
}

/** Turn sudo's own complaints into a clear error, or undefined when stderr is not sudo's. */
export function sudoProblem(stderr: string, user: string): BosunError | undefined {
  if (/sudo: a password is required/.test(stderr)) {
    return new BosunError(`Cannot run with sudo as ${user}: a password is required`, {
      hint: "set ansible_become_password (e.g. `!env BECOME_PASSWORD`) or give the user NOPASSWD in sudoers",
    });
  }
  if (/incorrect password attempt|Sorry, try again/.test(stderr)) {
    return new BosunError(`Cannot run with sudo as ${user}: the become password was rejected`, {
      hint: "check ansible_become_password for this host",
    });
  }
  if (/is not in the sudoers file|not allowed to execute/.test(stderr)) {
    return new BosunError(`Cannot run with sudo as ${user}: the user may not use sudo`, {
      hint: "add the user to the sudo group or a sudoers drop-in, or connect as root",
    });
  }
  if (/sudo: (command )?not found/.test(stderr)) {
    return new BosunError(`Cannot run with sudo as ${user}: sudo is not installed`, { hint: "install sudo or connect as root" });
  }
  return undefined;
}
