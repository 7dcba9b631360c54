/**
 * Validation of task params against a JSON Schema with ajv, with messages that name the parameter.
 * The exported tasks' validators are precompiled by `npm run build` (see precompiled.ts); any
 * other schema (a user's own task, or one changed since generation) loads ajv and compiles it once.
 */
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import { precompiledValidators } from "./precompiled.js";
import { schemaKey } from "./schema-key.js";
import { findUnsetEnv } from "./unset-env.js";

/** The ajv options of params validation (the generator compiles with the same). */
export const PARAMS_AJV_OPTIONS: Options = { allErrors: false, strict: false };

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

/** A new ajv instance with `options`, loaded on first use (ajv's own start-up is not free). */
export function loadAjv(options: Options): Ajv {
  const module = require("ajv") as { default?: new (o: Options) => Ajv } & (new (o: Options) => Ajv);
  const AjvClass = module.default ?? module;
  return new AjvClass(options);
}

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = precompiledValidators("task-params")[schemaKey(schema)];
    validate ??= (ajv ??= loadAjv(PARAMS_AJV_OPTIONS)).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, ".") : "";
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return `unknown parameter "${where ? `${where}.` : ""}${extra}"`;
  }
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `missing required parameter "${where ? `${where}.` : ""}${missing}"`;
  }
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
    return `parameter "${where}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  }
  return `parameter "${where}" ${error.message ?? "is invalid"}`;
}

/** An unset `!env` inside one of the schema's declared top-level properties of `value`, as a message. */
function unsetParameter(schema: object, value: unknown): string | undefined {
  const declared = (schema as { properties?: object }).properties;
  if (!declared || !value || typeof value !== "object") return undefined;
  for (const key of Object.keys(declared)) {
    const found = findUnsetEnv((value as Record<string, unknown>)[key], [key]);
    if (found) return `parameter "${found.path.join(".")}": ${found.unset.problem}`;
  }
  return undefined;
}

/** Validate a value; returns a message naming the offending parameter, or undefined when valid. */
export function validateAgainstSchema(schema: object, value: unknown): string | undefined {
  const unset = unsetParameter(schema, value);
  if (unset) return unset;
  const validate = validatorFor(schema);
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return first ? describe(first) : "invalid parameters";
}
