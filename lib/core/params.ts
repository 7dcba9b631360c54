/**
 * Task parameters declared once: TypeBox schemas. A task's `taskParams({...})` object is at the same
 * time the TypeScript type of its params (`Static<typeof x>`), the JSON Schema ajv validates
 * (precompiled by `npm run build`) and, through each property's `description` and `default`, the
 * README task reference (`npm run docs`). The building blocks below are plain JSON Schema (ajv sees
 * exactly what it saw before TypeBox) with a static type attached.
 */
import type { Static, TObject, TProperties, TSchema, TUnsafe } from "@sinclair/typebox";
// TypeBox as one pre-bundled file (scripts/vendor.ts): one module to load instead of 266.
import { Type } from "../generated/vendor/typebox.js";
import type { ParamsSchema } from "./task.js";
import type { Secret } from "./secrets.js";

export type { Static } from "@sinclair/typebox";

/** A JSON Schema fragment with the static type `T` (TypeBox's `Unsafe`: the JSON is kept as given). */
export function typed<T>(schema: object): TUnsafe<T> {
  return Type.Unsafe<T>({ ...schema });
}

/** Any string. */
export const str = typed<string>({ type: "string" });
/** A non-empty string. */
export const nonEmpty = typed<string>({ type: "string", minLength: 1 });
/** An absolute path. */
export const absPath = typed<string>({ type: "string", pattern: "^/", minLength: 2 });
/** An octal mode such as "0644" or "755". */
export const octalMode = typed<string>({ type: "string", pattern: "^[0-7]{3,4}$" });
/** A user or group name, or a numeric id. */
export const account = typed<string>({ type: "string", pattern: "^[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?$" });
/** A boolean. */
export const bool = typed<boolean>({ type: "boolean" });
/** A whole number. */
export const int = typed<number>({ type: "integer" });
/** A TCP/UDP port. */
export const port = typed<number>({ type: "integer", minimum: 1, maximum: 65535 });
/** A function (a predicate or callback). Checked by JS type only; give its type with {@link typed}. */
export const func = typed<(...args: never[]) => unknown>({ title: "function" });
/** Anything. */
export const any = typed<unknown>({});
/** A string or a Secret object (printed as `***`). */
export const secretString = typed<string | Secret>({ anyOf: [{ type: "string" }, { type: "object", title: "Secret" }] });

/** A string matching `pattern` (a JavaScript regular expression source). */
export function matching(pattern: string): TUnsafe<string> {
  return typed<string>({ type: "string", pattern });
}
/** A whole number within these bounds. */
export function intIn(bounds: { readonly minimum?: number; readonly maximum?: number }): TUnsafe<number> {
  return typed<number>({ type: "integer", ...bounds });
}
/** One of these string values. */
export function oneOf<const V extends readonly string[]>(...values: V): TUnsafe<V[number]> {
  return typed<V[number]>({ type: "string", enum: values });
}
/** An array of items. */
export function list<I extends TSchema>(items: I): TUnsafe<readonly Static<I>[]>;
/** An array of items given as plain JSON Schema (its static type is unknown[]). */
export function list(items: ParamsSchema): TUnsafe<readonly unknown[]>;
export function list(items: object): TSchema {
  return typed({ type: "array", items });
}
/** A map of string keys to values. */
export function record<V extends TSchema>(values: V): TUnsafe<Readonly<Record<string, Static<V>>>>;
/** A map of string keys to values given as plain JSON Schema. */
export function record(values: ParamsSchema): TUnsafe<Readonly<Record<string, unknown>>>;
export function record(values: object): TSchema {
  return typed({ type: "object", additionalProperties: values });
}

/** What the reference says about one parameter: a one-line description, and its default when there is one. */
export interface ParamDoc {
  /** One line: what the parameter does (shown in the README reference). */
  readonly description: string;
  /** The value used when the parameter is omitted (documentation only: ajv does not fill it in). */
  readonly default?: unknown;
}

function annotate<S extends TSchema>(schema: S, doc: string | ParamDoc): S {
  const note = typeof doc === "string" ? { description: doc } : doc;
  return { ...schema, ...note } as S;
}

/** A required parameter: its schema and its description. */
export function required<S extends TSchema>(schema: S, doc: string | ParamDoc): S {
  return annotate(schema, doc);
}
/** An optional parameter: its schema, its description and (in `doc`) its default. */
export function optional<S extends TSchema>(schema: S, doc: string | ParamDoc) {
  return Type.Optional(annotate(schema, doc));
}

/** A task's parameters: an object of these properties; unknown properties are rejected. */
export function taskParams<P extends TProperties>(properties: P): TObject<P> {
  return Type.Object(properties, { additionalProperties: false });
}

/** An object schema with required and optional properties; unknown properties are rejected (for tasks of your own). */
export function params(required: Record<string, ParamsSchema>, optional: Record<string, ParamsSchema> = {}): ParamsSchema {
  return {
    type: "object",
    properties: { ...required, ...optional },
    required: Object.keys(required),
    additionalProperties: false,
  };
}
