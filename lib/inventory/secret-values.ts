/**
 * Values read from the environment or from a file at load time, so that secrets need not be
 * committed: the `!env NAME` and `!file path` tags and Ansible's `{{ lookup('env', 'NAME') }}` and
 * `{{ lookup('file', 'path') }}` strings. Every value read this way is registered as a secret.
 */
import { readFileSync } from "node:fs";
import { registerSecret } from "../core/secrets.js";
import { SENSITIVE_VARS } from "./known-vars.js";
import { resolveUserPath } from "./paths.js";
import type { Vars } from "./types.js";

/** Where relative `!file` paths start and which environment `!env` reads. */
export interface SecretSourceOptions {
  /** Directory that relative file paths are resolved against. */
  readonly baseDir: string;
  /** Environment to read (process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The value of environment variable `name`; throws when it is not set. */
export function readEnvSecret(name: string, options: SecretSourceOptions): string {
  const key = name.trim();
  if (!key) throw new Error("no environment variable name given");
  const value = (options.env ?? process.env)[key];
  if (value === undefined) throw new Error(`environment variable "${key}" is not set`);
  registerSecret(value);
  return value;
}

/** The content of file `path` (relative to `baseDir`, `~` expanded) without its trailing newlines. */
export function readFileSecret(path: string, options: SecretSourceOptions): string {
  const file = path.trim();
  if (!file) throw new Error("no file name given");
  const full = resolveUserPath(file, options.baseDir);
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${full}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const value = text.replace(/[\r\n]+$/, "");
  registerSecret(value);
  return value;
}

/** Read `!env NAME` or `!file path`; errors say which form failed. */
export function readTaggedSecret(tag: "!env" | "!file", argument: string, options: SecretSourceOptions): string {
  try {
    return tag === "!env" ? readEnvSecret(argument, options) : readFileSecret(argument, options);
  } catch (error) {
    throw new Error(`Cannot read ${tag} ${argument}: ${(error as Error).message}`);
  }
}

const lookupPattern = /\{\{\s*lookup\(\s*(['"])(?:ansible\.builtin\.)?(env|file)\1\s*,\s*(['"])(.*?)\3\s*\)\s*\}\}/g;

/** Whether a string contains an Ansible `lookup('env'|'file', ...)` expression. */
export function hasLookup(text: string): boolean {
  lookupPattern.lastIndex = 0;
  return lookupPattern.test(text);
}

/**
 * Replace every `{{ lookup('env', 'NAME') }}` and `{{ lookup('file', 'path') }}` in `text` by the
 * value it names. Unlike Ansible, an unset variable is an error rather than an empty string.
 * Other `{{ ... }}` expressions are left as they are.
 */
export function resolveLookups(text: string, options: SecretSourceOptions): string {
  return text.replace(lookupPattern, (match: string, _q1, kind: string, _q2, arg: string) => {
    try {
      return kind === "env" ? readEnvSecret(arg, options) : readFileSecret(arg, options);
    } catch (error) {
      throw new Error(`Cannot read ${match.replace(/^\{\{\s*|\s*\}\}$/g, "")}: ${(error as Error).message}`);
    }
  });
}

/** Register the values of password-like variables (`ansible_password`, `ansible_become_password`, ...) as secrets. */
export function registerSensitiveVars(vars: Vars): void {
  for (const name of SENSITIVE_VARS) {
    const value = vars[name];
    if (typeof value === "string") registerSecret(value);
  }
}
