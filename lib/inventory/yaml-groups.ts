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

/** Where a section of a group sits: the group and its path in the file. */
interface Place {
  readonly group: string;
  readonly path: KeyPath;
}

/** Reads groups into one builder, reporting to one context. */
class YamlGroupReader {
  constructor(
    private readonly b: InventoryTreeBuilder,
    private readonly ctx: YamlGroupsContext,
  ) {}

  /** One group; false when its value is not a group at all (skipped with Ansible's warning). */
  group(at: Place, data: unknown): boolean {
    const { group: name, path } = at;
    if (data !== null && data !== undefined && !isMapping(data)) {
      this.ctx.warn(`Skipping '${name}' as this is not a valid group definition`);
      return false;
    }
    this.b.addGroup(name);
    if (!data) return true;
    const values: Record<string, unknown> = { ...data };
    for (const key of SECTIONS) {
      if (!(key in data)) continue;
      const normal = this.#section({ ...at, path: [...path, key] }, data[key]);
      if (normal === undefined) return true;
      values[key] = normal;
    }
    for (const [key, value] of Object.entries(values)) {
      const inner = [...path, key];
      if (value !== null && value !== undefined && !isMapping(value)) {
        this.ctx.warn(`Skipping key (${key}) in group (${name}) as it is not a mapping, it is a ${kindOf(value)}`);
      } else if (value === null || value === undefined) {
        continue;
      } else if (key === "vars") {
        if (checkVars(value, inner, this.ctx))
          for (const [k, v] of Object.entries(value)) this.#setVar({ group: name, path: [...inner, k] }, k, v);
      } else if (key === "children") {
        for (const [child, childData] of Object.entries(value)) this.#child({ group: name, path: [...inner, child] }, child, childData);
      } else if (key === "hosts") {
        this.#hosts({ group: name, path: inner }, value);
      } else {
        this.ctx.warn(`Skipping unexpected key (${key}) in group (${name}), only "vars", "children" and "hosts" are valid`);
      }
    }
    return true;
  }

  /** A section (`hosts`, `vars`, `children`) normalised: a plain string is a mapping of that one name; undefined when invalid. */
  #section(at: Place, value: unknown): Record<string, unknown> | null | undefined {
    if (typeof value === "string") return { [value]: null };
    if (value === null || value === undefined || isMapping(value)) return value ?? null;
    const key = at.path[at.path.length - 1];
    this.ctx.problems.push({
      path: at.path,
      at: "value",
      message: `Invalid "${String(key)}" entry for "${at.group}" group, requires a dictionary, found ${kindOf(value)} instead`,
    });
    return undefined;
  }

  #hosts(at: Place, hosts: Record<string, unknown>): void {
    for (const [entry, vars] of Object.entries(hosts)) {
      const path = [...at.path, entry];
      if (vars !== null && vars !== undefined && !isMapping(vars)) {
        this.ctx.problems.push({ path, at: "value", message: `a host's variables must be a mapping, got ${preview(vars)}` });
        continue;
      }
      const own = (vars ?? {}) as Vars;
      if (!checkVars(own, path, this.ctx)) continue;
      const { pattern, port } = splitHostPort(entry);
      try {
        for (const name of expandHostRange(pattern)) this.b.addHost(at.group, { name, vars: own, port });
      } catch (error) {
        this.ctx.problems.push({ path, at: "key", message: (error as Error).message });
      }
    }
  }

  #setVar(at: Place, key: string, value: unknown): void {
    try {
      this.b.setGroupVar(at.group, key, value);
    } catch (error) {
      this.ctx.problems.push({ path: at.path, at: "value", message: (error as Error).message });
    }
  }

  /** A child group of `at.group`, read as a group of its own. */
  #child(at: Place, child: string, data: unknown): void {
    if (!this.group({ group: child, path: at.path }, data)) {
      this.ctx.problems.push({
        path: at.path,
        at: "key",
        message: `"${child}" is not a known host nor group (its value is not a group: a mapping with hosts, vars, children)`,
      });
      return;
    }
    try {
      this.b.addChild(at.group, child);
    } catch (error) {
      this.ctx.problems.push({ path: at.path, at: "key", message: (error as Error).message });
    }
  }
}

/** Read every top-level group of YAML inventory data into `b`. */
export function addYamlGroups(b: InventoryTreeBuilder, data: Readonly<Record<string, unknown>>, ctx: YamlGroupsContext): void {
  const reader = new YamlGroupReader(b, ctx);
  for (const [name, group] of Object.entries(data)) reader.group({ group: name, path: [name] }, group);
}
