/** Writing values into systemd unit files: quoting for ExecStart/Environment, and escaping specifiers. */

/** Escape systemd specifiers: `%` starts one (`%n`, `%h`), `%%` is a literal percent sign. */
export function escapeSpecifiers(value: string): string {
  return value.replace(/%/g, "%%");
}

/**
 * One word for an `ExecStart=` line: double-quoted with C escapes, `%` and `$` doubled so that
 * systemd passes the text to the program exactly as given.
 */
export function execWord(value: string): string {
  const escaped = value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\t/g, "\\t");
  return `"${escapeSpecifiers(escaped).replace(/\$/g, "$$$$")}"`;
}

/** An `Environment=` assignment, quoted (values are not `$`-expanded there, specifiers are). */
export function environmentLine(name: string, value: string): string {
  const escaped = `${name}=${value}`.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `Environment="${escapeSpecifiers(escaped)}"`;
}

/** `ExecStart=` running a shell command line with /bin/sh, exactly as written. */
export function shellExecStart(command: string): string {
  return `ExecStart=/bin/sh -c ${execWord(command)}`;
}
