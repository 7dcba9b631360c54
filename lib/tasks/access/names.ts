/** Checks of account names and other access params that JSON Schema cannot express. */

/** A user or group name that `useradd`/`groupadd` accept and that cannot be read as a numeric id. */
export function accountNameProblem(param: string, value: string): string | undefined {
  if (/^\d+$/.test(value)) return `parameter "${param}" must be a name, not a number: ${JSON.stringify(value)}`;
  if (value.length > 32) return `parameter "${param}" is longer than 32 characters: ${JSON.stringify(value)}`;
  if (value.startsWith("-")) return `parameter "${param}" must not start with "-": ${JSON.stringify(value)}`;
  return undefined;
}

/** A passwd/group field value: no colon, no newline. */
export function fieldProblem(param: string, value: string | undefined): string | undefined {
  if (value !== undefined && /[:\n\r]/.test(value)) return `parameter "${param}" must not contain ":" or a line break`;
  return undefined;
}

/** A name for a drop-in file: letters, digits, "_" and "-" (sudo ignores names with a dot). */
export function dropInNameProblem(param: string, value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) {
    return `parameter "${param}" must use only letters, digits, "_" and "-" (sudo and sshd skip other names): ${JSON.stringify(value)}`;
  }
  return undefined;
}
