/** The text of a sudoers drop-in rule, rendered from typed params (a pure function). */

/** What a rule grants; see SudoersParams for each field. */
export interface SudoRule {
  readonly user?: string;
  readonly group?: string;
  readonly commands?: string | readonly string[];
  readonly runAs?: string;
  readonly nopasswd?: boolean;
}

/** Escape the characters sudoers gives a meaning inside a command's arguments. */
export function escapeSudoCommand(command: string): string {
  if (command === "ALL") return command;
  return command.replace(/[\\,:=#]/g, (c) => `\\${c}`);
}

/** A problem with a rule's commands: each must be ALL or an absolute path, on one line. */
export function sudoCommandsProblem(commands: SudoRule["commands"]): string | undefined {
  const list = commands === undefined ? [] : typeof commands === "string" ? [commands] : commands;
  if (commands !== undefined && list.length === 0) return `parameter "commands" must not be empty`;
  const bad = list.find((c) => c !== "ALL" && (!c.startsWith("/") || /[\n\r]/.test(c) || /^\S*\\/.test(c)));
  if (bad !== undefined)
    return `parameter "commands" must hold "ALL" or absolute paths (sudo needs them, without a backslash), one line each: ${JSON.stringify(bad)}`;
  return undefined;
}

/** The drop-in text for a rule: a header line and `who ALL=(runAs) [NOPASSWD: ]commands`. */
export function renderSudoRule(name: string, rule: SudoRule): string {
  const who = rule.user ?? `%${rule.group}`;
  const commands = rule.commands === undefined ? ["ALL"] : typeof rule.commands === "string" ? [rule.commands] : rule.commands;
  const tag = rule.nopasswd ? "NOPASSWD: " : "";
  return `# Managed by bosun (access.sudoers "${name}"); edits are overwritten.\n${who} ALL=(${rule.runAs ?? "ALL:ALL"}) ${tag}${commands.map(escapeSudoCommand).join(", ")}\n`;
}
