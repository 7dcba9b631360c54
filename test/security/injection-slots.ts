/**
 * Every task bosun exports and every place a string can go in its parameters ("slots"), read
 * from the tasks' own JSON Schemas, so that a new task or parameter cannot escape the injection
 * tests unnoticed.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Task } from "../../lib/core/task.js";

/** A task factory with its definition. */
export type AnyTask = Task<never, unknown>;

type Schema = Record<string, unknown>;

/** The tasks exported by these modules, by id (a task exported twice counts once). */
export function tasksOf(modules: readonly Record<string, unknown>[]): Map<string, AnyTask> {
  const out = new Map<string, AnyTask>();
  for (const m of modules) {
    for (const value of Object.values(m)) {
      const definition = (value as { definition?: { id?: unknown } } | undefined)?.definition;
      if (typeof value === "function" && definition && typeof definition.id === "string") out.set(definition.id, value as AnyTask);
    }
  }
  return out;
}

/** Every exported task: lib/index.ts, lib/tasks/command.ts and each lib/tasks/<area>/index.ts. */
export async function exportedTasks(): Promise<Map<string, AnyTask>> {
  const root = fileURLToPath(new URL("../../lib/", import.meta.url));
  const modules: Record<string, unknown>[] = [await import("../../lib/index.js"), await import("../../lib/tasks/command.js")];
  for (const area of readdirSync(path.join(root, "tasks"), { withFileTypes: true })) {
    if (area.isDirectory()) modules.push(await import(`../../lib/tasks/${area.name}/index.js`));
  }
  return tasksOf(modules);
}

function accepts(schema: Schema | undefined, type: string): boolean {
  if (!schema) return false;
  const t = schema.type;
  if (t === type || (Array.isArray(t) && t.includes(type))) return true;
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  return !!alternatives?.some((s) => accepts(s, type));
}

function alternativesOf(schema: Schema): Schema[] {
  return [schema, ...(((schema.anyOf ?? schema.oneOf) as Schema[] | undefined) ?? [])];
}

function isAny(schema: Schema): boolean {
  return !("type" in schema) && !("anyOf" in schema) && !("oneOf" in schema) && !("enum" in schema);
}

/**
 * The string slots of a params schema: `name` (a string), `name[]` (strings in a list),
 * `name.*` (values of a map), `name{}` (keys of a map), nested objects as `a.b`, and
 * `name?` for parameters typed "anything" in the schema (they may hold strings: the injection
 * case must say what it does with them).
 */
export function stringSlots(schema: Schema | undefined, prefix = ""): string[] {
  const props = (schema?.properties ?? {}) as Record<string, Schema>;
  const out: string[] = [];
  for (const [name, s] of Object.entries(props)) {
    const slot = `${prefix}${name}`;
    if (isAny(s)) {
      out.push(`${slot}?`);
      continue;
    }
    if (accepts(s, "string")) out.push(slot);
    const alternatives = alternativesOf(s);
    for (const alt of alternatives) {
      if (alt.type === "array" && accepts(alt.items as Schema, "string")) out.push(`${slot}[]`);
      if (alt.type !== "object") continue;
      if (alt.properties) out.push(...stringSlots(alt, `${slot}.`));
      else if ("additionalProperties" in alt) {
        const values = alt.additionalProperties as Schema | boolean;
        out.push(`${slot}{}`);
        if (values === true || (typeof values === "object" && (isAny(values) || accepts(values, "string")))) out.push(`${slot}.*`);
      } else if (!accepts(s, "string")) out.push(`${slot}?`); // a free-form object (JSON data); a string's Secret form is not a slot of its own
    }
  }
  return [...new Set(out)];
}
