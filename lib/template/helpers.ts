/**
 * Helpers for users who know Jinja: `default`, `join`, `eq`/`ne`/`not`/`and`/`or`, `json`,
 * `indent`, `lower`/`upper`; and `randomSecret` for secrets generated when a file is created. A helper that needs a value (all but `default` and the comparisons)
 * fails with the variable's name when it is not defined, because strict mode does not check helper
 * arguments itself.
 */
import { randomBytes } from "node:crypto";
import type { HelperDelegate, HelperOptions } from "handlebars";
import { HelperError, MissingVariableError, type HelperLocation } from "./template-error.js";

/** What handlebars passes as the last argument of a helper when compiled with `trackIds`. */
interface TrackedOptions extends HelperOptions {
  readonly name: string;
  readonly ids?: readonly (string | null | true)[];
  readonly loc?: HelperLocation;
}

function split(args: unknown[]): { values: unknown[]; options: TrackedOptions } {
  return { values: args.slice(0, -1), options: args[args.length - 1] as TrackedOptions };
}

function required(options: TrackedOptions, values: unknown[], index: number): unknown {
  const value = values[index];
  if (value !== undefined) return value;
  const id = options.ids?.[index];
  if (typeof id === "string") throw new MissingVariableError(id, options.loc?.start.line);
  throw new HelperError(`helper "${options.name}" needs ${index === 0 ? "an argument" : `argument ${index + 1}`}`, options.loc?.start.line);
}

function helper(body: (values: unknown[], options: TrackedOptions) => unknown): HelperDelegate {
  return (...args: unknown[]) => {
    const { values, options } = split(args);
    return body(values, options);
  };
}

function indentLines(text: string, width: number, first: boolean): string {
  const pad = " ".repeat(width);
  return text
    .split("\n")
    .map((line, i) => ((i > 0 || first) && line !== "" ? pad + line : line))
    .join("\n");
}

/** `length` random URL-safe characters (A-Z a-z 0-9 - _), from the system's CSPRNG. */
export function randomSecret(length = 32): string {
  if (!Number.isInteger(length) || length < 16 || length > 256) {
    throw new HelperError(`helper "randomSecret" needs a length from 16 to 256, got ${String(length)}`);
  }
  return randomBytes(Math.ceil((length * 3) / 4) + 3)
    .toString("base64url")
    .slice(0, length);
}

/** The helpers registered in bosun's template environment, by name. */
export const templateHelpers: Readonly<Record<string, HelperDelegate>> = {
  /** `{{default port 8080}}`: the value, or the fallback when it is undefined or null. */
  default: helper(([value, fallback]) => value ?? fallback),
  /** `{{join servers ", "}}`: list items joined by the separator ("" by default, like Jinja). */
  join: helper((values, options) => {
    const list = required(options, values, 0);
    if (!Array.isArray(list)) throw new HelperError(`helper "join" needs a list, got ${typeof list}`, options.loc?.start.line);
    return list.join(values.length > 1 ? String(values[1]) : "");
  }),
  /** `{{#if (eq env "prod")}}`: strict equality. */
  eq: helper(([a, b]) => a === b),
  /** `{{#if (ne env "prod")}}`: strict inequality. */
  ne: helper(([a, b]) => a !== b),
  /** `{{#if (not debug)}}`: negation. */
  not: helper(([a]) => !a),
  /** `{{#if (and tls public)}}`: true when every argument is truthy. */
  and: helper((values) => values.every(Boolean)),
  /** `{{#if (or a b)}}`: true when some argument is truthy. */
  or: helper((values) => values.some(Boolean)),
  /** `{{json settings}}` or `{{json settings 2}}`: JSON text, optionally indented. */
  json: helper((values, options) => JSON.stringify(required(options, values, 0), null, values.length > 1 ? Number(values[1]) : undefined)),
  /** `{{indent block 4}}`: indent every line but the first (add `first=true` for it too); blank lines stay empty. */
  indent: helper((values, options) => {
    const text = String(required(options, values, 0));
    const width = values.length > 1 ? Number(values[1]) : 4;
    return indentLines(text, width, options.hash?.first === true);
  }),
  /** `{{lower name}}`: lower case. */
  lower: helper((values, options) => String(required(options, values, 0)).toLowerCase()),
  /** `{{upper name}}`: upper case. */
  upper: helper((values, options) => String(required(options, values, 0)).toUpperCase()),
  /**
   * `{{randomSecret}}` or `{{randomSecret 48}}`: a new random URL-safe secret (32 characters by
   * default) at each render; for files created once (`createFileOnce`), e.g.
   * `POSTGRES_PASSWORD={{default db_password (randomSecret)}}`.
   */
  randomSecret: helper((values) => randomSecret(values.length > 0 ? Number(values[0]) : 32)),
};
