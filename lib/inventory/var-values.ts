/**
 * Conversions of variable values to the types bosun needs, accepting what Ansible accepts
 * (`"2222"` for a port, `yes`/`"on"`/`1` for true). They throw a plain Error naming the variable.
 */
import type { Vars } from "./types.js";
import { preview } from "./preview.js";
import { UnsetEnv } from "../core/unset-env.js";

const truthy = new Set(["yes", "on", "true", "y", "t", "1"]);
const falsy = new Set(["no", "off", "false", "n", "f", "0"]);

/** The first of `names` that is set (not undefined or null) in `vars`, with its name. */
export function pick(vars: Vars, ...names: string[]): { readonly name: string; readonly value: unknown } | undefined {
  for (const name of names) {
    const value = vars[name];
    if (value instanceof UnsetEnv) throw value.error(`variable "${name}"`);
    if (value !== undefined && value !== null) return { name, value };
  }
  return undefined;
}

/** A boolean in Ansible's sense: true/false, yes/no, on/off, 1/0 (any case). */
export function toBool(name: string, value: unknown): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  if (truthy.has(text)) return true;
  if (falsy.has(text)) return false;
  throw new Error(`${name} must be a boolean (true/false, yes/no), got ${preview(value)}`);
}

/** A whole number within [min, max], given as a number or a string of digits. */
export function toInteger(name: string, value: unknown, range: { min: number; max: number }): number {
  const { min, max } = range;
  const number = typeof value === "number" ? value : /^-?[0-9]+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got ${preview(value)}`);
  }
  return number;
}

/** A positive number of seconds, given as a number or a numeric string. */
export function toSeconds(name: string, value: unknown): number {
  const number = typeof value === "number" ? value : /^[0-9]+(\.[0-9]+)?$/.test(String(value)) ? Number(value) : NaN;
  if (!(number > 0)) throw new Error(`${name} must be a number of seconds greater than 0, got ${preview(value)}`);
  return number;
}

/** A non-empty string. */
export function toText(name: string, value: unknown): string {
  if (typeof value !== "string" || value === "") throw new Error(`${name} must be a non-empty string, got ${preview(value)}`);
  return value;
}
