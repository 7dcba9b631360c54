/** Validation of task params against a JSON Schema with ajv, with messages that name the parameter. */
import AjvModule from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";

type AjvClass = typeof AjvModule.default;
const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
const ajv = new Ajv({ allErrors: false, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

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

/** Validate a value; returns a message naming the offending parameter, or undefined when valid. */
export function validateAgainstSchema(schema: object, value: unknown): string | undefined {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return undefined;
  const first = validate.errors?.[0];
  return first ? describe(first) : "invalid parameters";
}
