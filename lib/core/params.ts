/** Small builders for the JSON Schemas that validate task params before anything runs. */
import type { ParamsSchema } from "./task.js";

/** Any string. */
export const str: ParamsSchema = { type: "string" };
/** A non-empty string. */
export const nonEmpty: ParamsSchema = { type: "string", minLength: 1 };
/** An absolute path. */
export const absPath: ParamsSchema = { type: "string", pattern: "^/", minLength: 2 };
/** An octal mode such as "0644" or "755". */
export const octalMode: ParamsSchema = { type: "string", pattern: "^[0-7]{3,4}$" };
/** A user or group name, or a numeric id. */
export const account: ParamsSchema = { type: "string", pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?$" };
/** A boolean. */
export const bool: ParamsSchema = { type: "boolean" };
/** A whole number. */
export const int: ParamsSchema = { type: "integer" };
/** A TCP/UDP port. */
export const port: ParamsSchema = { type: "integer", minimum: 1, maximum: 65535 };
/** A function (a predicate or callback). Checked by JS type only. */
export const func: ParamsSchema = {};
/** Anything. */
export const any: ParamsSchema = {};
/** A string or a Secret object. */
export const secretString: ParamsSchema = { anyOf: [{ type: "string" }, { type: "object" }] };

/** One of these string values. */
export function oneOf(...values: readonly string[]): ParamsSchema {
  return { type: "string", enum: values };
}
/** An array of items. */
export function list(items: ParamsSchema): ParamsSchema {
  return { type: "array", items };
}
/** A map of string keys to values. */
export function record(values: ParamsSchema): ParamsSchema {
  return { type: "object", additionalProperties: values };
}

/** An object schema with required and optional properties; unknown properties are rejected. */
export function params(required: Record<string, ParamsSchema>, optional: Record<string, ParamsSchema> = {}): ParamsSchema {
  return {
    type: "object",
    properties: { ...required, ...optional },
    required: Object.keys(required),
    additionalProperties: false,
  };
}
