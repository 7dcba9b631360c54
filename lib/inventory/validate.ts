/**
 * JSON Schema checks of inventory data with ajv. Each ajv error becomes a {@link Problem} with the
 * path inside the data and what was expected, then one {@link InventoryError} for the source.
 */
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { precompiledValidators } from "../core/precompiled.js";
import { loadAjv } from "../core/schema.js";
import { schemaKey } from "../core/schema-key.js";
import { UnsetEnv } from "../core/unset-env.js";
import { BOSUN_VARS, SENSITIVE_VARS } from "./known-vars.js";
import { preview } from "./preview.js";
import { problemsError, type Locator, type Problem } from "./location.js";
import { GROUP_KEYS, inventorySchema, varsFileSchema } from "./schema.js";

/** The ajv options of inventory validation (the generator compiles with the same). */
export const INVENTORY_AJV_OPTIONS: Options = { allErrors: true, verbose: true, allowUnionTypes: true, strict: true };

const schemas = { inventory: inventorySchema, vars: varsFileSchema };
const validators: Partial<Record<keyof typeof schemas, ValidateFunction>> = {};

/** Which schema to check against. */
export type SchemaName = keyof typeof schemas;

/** The precompiled validator of a schema (`npm run build`), or one compiled now when it is not built or changed since. */
function validatorFor(name: SchemaName): ValidateFunction {
  const schema = schemas[name];
  return (validators[name] ??= precompiledValidators("inventory")[schemaKey(schema)] ?? loadAjv(INVENTORY_AJV_OPTIONS).compile(schema));
}

/** Data from one source and how to name positions in it. */
export interface ValidationSource {
  /** The parsed value. */
  readonly data: unknown;
  /** The name used in messages (`inventory/cfa2.yml`). */
  readonly label: string;
  /** Positions inside the source, when it has any. */
  readonly locate?: Locator;
}

const MAX_PROBLEMS = 20;

function pathOf(instancePath: string): string[] {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function toProblem(error: ErrorObject): Problem | undefined {
  if (error.data instanceof UnsetEnv) return undefined; // checked where it is used
  if (typeof error.data === "string" && /\{\{|\{%/.test(error.data)) return undefined; // a Jinja expression: Ansible templates it when used
  const path = pathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.propertyName !== undefined && error.keyword !== "propertyNames") return undefined;
  if (error.keyword === "additionalProperties") {
    const key = String(params.additionalProperty);
    const isGroup = (error.parentSchema as { properties?: object } | undefined)?.properties !== undefined;
    const expected = isGroup ? `: a group has only ${GROUP_KEYS.join(", ")}` : "";
    return { path: [...path, key], at: "key", message: `unknown key "${key}"${expected}` };
  }
  if (error.keyword === "propertyNames") {
    const key = String(params.propertyName);
    return { path: [...path, key], at: "key", message: `unknown bosun variable "${key}" (known: ${Object.keys(BOSUN_VARS).join(", ")})` };
  }
  const expected = (error.parentSchema as { description?: string } | undefined)?.description;
  const got = SENSITIVE_VARS.includes(path[path.length - 1] ?? "") ? `a ${typeof error.data}` : preview(error.data);
  const message = expected ? `must be ${expected} (got ${got})` : (error.message ?? "is invalid");
  return { path, at: "value", message };
}

function sameProblem(a: Problem, b: Problem): boolean {
  return a.at === b.at && a.path.length === b.path.length && a.path.every((k, i) => k === b.path[i]);
}

/** The problems of `data` against a schema, at most one per path. */
export function schemaProblems(schema: SchemaName, data: unknown): Problem[] {
  const validate = validatorFor(schema);
  if (validate(data)) return [];
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error);
    if (problem && !problems.some((p) => sameProblem(p, problem))) problems.push(problem);
  }
  return problems.slice(0, MAX_PROBLEMS);
}

/** Throw one InventoryError naming file, line:column and path of every problem, if there are any. */
export function assertValid(schema: SchemaName, source: ValidationSource): void {
  const problems = schemaProblems(schema, source.data);
  if (problems.length) throw problemsError(source.label, source.locate, problems);
}
