/**
 * Ansible's YAML inventory (`all: { hosts, vars, children }` and further top-level groups) read
 * into an {@link InventoryTreeBuilder}, with Ansible's leniency: a section written as a plain
 * string (`hosts: 192.168.0.2`) is a mapping of that one name, and a key other than hosts, vars and
 * children, or a group that is not a mapping, is skipped with Ansible's warning. Variables are
 * checked against the schema of the variables bosun reads.
 */
import { expandHostRange } from "./host-ranges.js";
import { splitHostPort } from "./host-address.js";
import type { KeyPath, Problem } from "./location.js";
import { preview } from "./preview.js";
import type { InventoryTreeBuilder } from "./tree-builder.js";
import type { Vars } from "./types.js";
import { schemaProblems } from "./validate.js";

/** One group as YAML gives it (before it is checked). */
export type YamlGroupData = { readonly hosts?: unknown; readonly vars?: unknown; readonly children?: unknown } & Readonly<
  Record<string, unknown>
>;

/** Where {@link addYamlGroups} reports what it finds. */
export interface YamlGroupsContext {
  /** Errors, with their path in the file. */
  readonly problems: Problem[];
  /** Ansible's warnings for shapes it accepts. */
  readonly warn: (message: string) => void;
}

const SECTIONS = ["vars", "children", "hosts"] as const;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? "list" : typeof value === "string" ? "string" : typeof value;
}

function checkVars(vars: Vars, path: KeyPath, ctx: YamlGroupsContext): boolean {
  const found = schemaProblems("vars", vars).map((p) => ({ ...p, path: [...path, ...p.path] }));
  ctx.problems.push(...found);
  return found.length === 0;
}

function addHosts(b: InventoryTreeBuilder, group: string, hosts: Record<string, unknown>, path: KeyPath, ctx: YamlGroupsContext): void {
  for (const [entry, vars] of Object.entries(hosts)) {
    const at = [...path, entry];
    if (vars !== null && vars !== undefined && !isMapping(vars)) {
      ctx.problems.push({ path: at, at: "value", message: `a host's variables must be a mapping, got ${preview(vars)}` });
      continue;
    }
    const own = (vars ?? {}) as Vars;
    if (!checkVars(own, at, ctx)) continue;
    const { pattern, port } = splitHostPort(entry);
    try {
      for (const name of expandHostRange(pattern)) b.addHost(group, name, own, port);
    } catch (error) {
      ctx.problems.push({ path: at, at: "key", message: (error as Error).message });
    }
  }
}

function section(
  name: string,
  key: string,
  value: unknown,
  path: KeyPath,
  ctx: YamlGroupsContext,
): Record<string, unknown> | null | undefined {
  if (typeof value === "string") return { [value]: null };
  if (value === null || value === undefined || isMapping(value)) return value ?? null;
  ctx.problems.push({
    path: [...path, key],
    at: "value",
    message: `Invalid "${key}" entry for "${name}" group, requires a dictionary, found ${kindOf(value)} instead`,
  });
  return undefined;
}

function parseGroup(b: InventoryTreeBuilder, name: string, data: unknown, path: KeyPath, ctx: YamlGroupsContext): boolean {
  if (data !== null && data !== undefined && !isMapping(data)) {
    ctx.warn(`Skipping '${name}' as this is not a valid group definition`);
    return false;
  }
  b.addGroup(name);
  if (!data) return true;
  const values: Record<string, unknown> = { ...data };
  for (const key of SECTIONS) {
    if (!(key in data)) continue;
    const normal = section(name, key, data[key], path, ctx);
    if (normal === undefined) return true;
    values[key] = normal;
  }
  for (const [key, value] of Object.entries(values)) {
    if (value !== null && value !== undefined && !isMapping(value)) {
      ctx.warn(`Skipping key (${key}) in group (${name}) as it is not a mapping, it is a ${kindOf(value)}`);
    } else if (value === null || value === undefined) {
      continue;
    } else if (key === "vars") {
      if (checkVars(value, [...path, key], ctx)) for (const [k, v] of Object.entries(value)) setVar(b, name, k, v, [...path, key, k], ctx);
    } else if (key === "children") {
      for (const [child, childData] of Object.entries(value)) addChildGroup(b, name, child, childData, [...path, key, child], ctx);
    } else if (key === "hosts") {
      addHosts(b, name, value, [...path, key], ctx);
    } else {
      ctx.warn(`Skipping unexpected key (${key}) in group (${name}), only "vars", "children" and "hosts" are valid`);
    }
  }
  return true;
}

function setVar(b: InventoryTreeBuilder, group: string, key: string, value: unknown, path: KeyPath, ctx: YamlGroupsContext): void {
  try {
    b.setGroupVar(group, key, value);
  } catch (error) {
    ctx.problems.push({ path, at: "value", message: (error as Error).message });
  }
}

function addChildGroup(b: InventoryTreeBuilder, parent: string, child: string, data: unknown, path: KeyPath, ctx: YamlGroupsContext): void {
  if (!parseGroup(b, child, data, path, ctx)) {
    ctx.problems.push({
      path,
      at: "key",
      message: `"${child}" is not a known host nor group (its value is not a group: a mapping with hosts, vars, children)`,
    });
    return;
  }
  try {
    b.addChild(parent, child);
  } catch (error) {
    ctx.problems.push({ path, at: "key", message: (error as Error).message });
  }
}

/** Read every top-level group of YAML inventory data into `b`. */
export function addYamlGroups(b: InventoryTreeBuilder, data: Readonly<Record<string, unknown>>, ctx: YamlGroupsContext): void {
  for (const [name, group] of Object.entries(data)) parseGroup(b, name, group, [name], ctx);
}
