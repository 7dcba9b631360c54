/**
 * `-e` extra vars, as Ansible reads them: `k=v` pairs (values stay strings; several pairs in one
 * argument separated by spaces, quotes allowed), a JSON or YAML mapping (`-e '{"a": 1}'`), or
 * `@file.yml` / `@file.json` (vault-encrypted or not). Later arguments win. Only values tagged `!env`/`!file` or written as
 * `lookup()` are secrets (plus password variables, which are always masked).
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { InventoryError } from "../core/errors.js";
import { problemsError } from "./location.js";
import { resolveUserPath } from "./paths.js";
import { mergeVars } from "./precedence.js";
import { hasLookup, registerSensitiveVars, resolveLookups } from "./secret-values.js";
import { splitShellWords } from "./shell-words.js";
import type { Vars } from "./types.js";
import { assertValid } from "./validate.js";
import { decryptVaultFile, registerVaultValues } from "./vault-file.js";
import { parseYamlSource } from "./yaml-source.js";

function short(arg: string): string {
  return arg.length > 40 ? `${arg.slice(0, 40)}...` : arg;
}

function mappingFrom(text: string, label: string, baseDir: string): Vars {
  const parsed = parseYamlSource(text, { label, baseDir });
  const data = parsed.data ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw problemsError(label, parsed.locate, [
      { path: [], at: "value", message: "extra vars must be a mapping of variable names to values" },
    ]);
  }
  assertValid("vars", { ...parsed, data });
  return data as Vars;
}

function fromFile(arg: string, cwd: string): Vars {
  const label = `-e ${arg}`;
  const path = resolveUserPath(arg.slice(1), cwd);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InventoryError(`Cannot read ${label}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (${path})`);
  }
  const file = decryptVaultFile(text, label);
  const vars = mappingFrom(file.text, label, dirname(path));
  return file.encrypted ? registerVaultValues(vars) : vars;
}

function fromPairs(arg: string, cwd: string): Vars {
  const label = `-e ${JSON.stringify(short(arg))}`;
  const vars: Vars = {};
  try {
    for (const word of splitShellWords(arg)) {
      const eq = word.indexOf("=");
      if (eq <= 0) throw new Error(`${JSON.stringify(word)} is not key=value; -e takes key=value pairs, a JSON/YAML mapping or @file`);
      const value = word.slice(eq + 1);
      vars[word.slice(0, eq)] = hasLookup(value) ? resolveLookups(value, { baseDir: cwd }) : value;
    }
  } catch (error) {
    throw new InventoryError(`Cannot read ${label}: ${(error as Error).message}`);
  }
  assertValid("vars", { data: vars, label });
  return vars;
}

/** Parse one `-e` argument. */
export function parseExtraVar(arg: string, cwd: string = process.cwd()): Vars {
  const vars = arg.startsWith("@")
    ? fromFile(arg, cwd)
    : /^\s*[{[]/.test(arg)
      ? mappingFrom(arg, `-e '${short(arg.trim())}'`, cwd)
      : fromPairs(arg, cwd);
  registerSensitiveVars(vars);
  return vars;
}

/**
 * Parse every `-e` argument and merge them, later ones winning (shallow, like Ansible). Problems
 * are InventoryErrors that name the argument and, for files and mappings, the line:column.
 * @example parseExtraVars(["version=1.4 env=prod", "@vars/prod.yml", '{"replicas": 3}'])
 */
export function parseExtraVars(args: readonly string[], cwd: string = process.cwd()): Vars {
  return mergeVars(...args.map((arg) => parseExtraVar(arg, cwd)));
}
