/** Checks of file-task params that JSON Schema cannot express; each returns a message naming the parameter. */
import { Secret } from "../../core/secrets.js";

/** A path that names a file: absolute, not the root, no trailing slash. */
export function filePathProblem(name: string, value: string): string | undefined {
  if (value.endsWith("/")) return `parameter "${name}" must name a file, not end with "/": ${JSON.stringify(value)}`;
  return undefined;
}

/** A validate command must say where the file goes (`%s`), like Ansible's. */
export function validateProblem(value: string | undefined): string | undefined {
  if (value !== undefined && !value.includes("%s"))
    return `parameter "validate" must contain %s (the path of the file to check), e.g. "visudo -cf %s"`;
  return undefined;
}

/** Content must be text, bytes or a Secret. */
export function contentProblem(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === "string" || Buffer.isBuffer(value) || value instanceof Secret) return undefined;
  return `parameter "${name}" must be a string, a Buffer or a Secret`;
}

/** A JavaScript regular expression given as a string. */
export function regexpProblem(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new RegExp(value);
    return undefined;
  } catch (error) {
    return `parameter "${name}" is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** The first problem of several checks. */
export function firstProblem(...problems: readonly (string | undefined)[]): string | undefined {
  return problems.find((p) => p !== undefined);
}
