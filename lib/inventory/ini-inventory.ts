/**
 * Ansible's INI inventory format, read line by line as its `ini` plugin does: `[group]` lists
 * hosts (`name[:port] k=v ...`, ranges `web[01:09]`), `[group:vars]` holds `k=v` lines,
 * `[group:children]` names child groups (which may be declared later in the file), hosts before
 * any section are in `ungrouped`, and lines starting with `#` or `;` are comments. Every value,
 * on a host line or in `:vars`, goes through Python's `literal_eval` (see {@link iniValue}), so
 * `x=1` is a number, `x=True` a boolean, `x="1"` on a host line also a number (the shell-like
 * split removes the quotes first) and `x='[1, 2]'` a list.
 */
import { InventoryError } from "../core/errors.js";
import { expandHostRange } from "./host-ranges.js";
import { splitHostPort } from "./host-address.js";
import { SENSITIVE_VARS } from "./known-vars.js";
import { iniValue } from "./python-literal.js";
import { shlexSplit } from "./shlex-split.js";
import type { InventoryTreeBuilder } from "./tree-builder.js";
import type { Vars } from "./types.js";
import { schemaProblems } from "./validate.js";

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/** A value as Ansible types it, except a password, which stays the text written (`0123` keeps its zero). */
function typed(key: string, text: string): unknown {
  const value = iniValue(text);
  return SENSITIVE_VARS.includes(key) && typeof value === "number" ? text.replace(/^(["'])(.*)\1$/, "$2") : value;
}

interface Pending {
  readonly line: number;
  readonly state: "vars" | "children";
  readonly parents: string[];
}

class IniReader {
  line = 0;
  group = "ungrouped";
  state = "hosts";
  readonly pending = new Map<string, Pending>();

  constructor(
    readonly b: InventoryTreeBuilder,
    readonly label: string,
  ) {}

  fail(message: string, line = this.line): InventoryError {
    return new InventoryError(`${this.label}:${line}: ${message}`);
  }

  checked(vars: Vars): Vars {
    const problems = schemaProblems("vars", vars);
    if (problems.length) throw this.fail(problems.map((p) => `${p.path.join(".")}: ${p.message}`).join("; "));
    return vars;
  }

  section(group: string, state: string): void {
    if (!["hosts", "children", "vars"].includes(state)) throw this.fail(`Section [${group}:${state}] has unknown type: ${state}`);
    this.group = group;
    this.state = state;
    if (!this.b.tree.groups.has(group)) {
      if (state === "vars" && !this.pending.has(group)) this.pending.set(group, { line: this.line, state: "vars", parents: [] });
      this.b.addGroup(group);
    }
    const pending = this.pending.get(group);
    if (pending && state !== "vars") {
      if (pending.state === "children") this.addPendingChildren(group);
      else this.pending.delete(group);
    }
  }

  addPendingChildren(group: string): void {
    for (const parent of this.pending.get(group)?.parents ?? []) {
      this.link(parent, group);
      if (this.pending.get(parent)?.state === "children") this.addPendingChildren(parent);
    }
    this.pending.delete(group);
  }

  link(parent: string, child: string): void {
    try {
      this.b.addChild(parent, child);
    } catch (error) {
      throw this.fail((error as Error).message);
    }
  }

  host(text: string): void {
    let words: string[];
    try {
      words = shlexSplit(text);
    } catch (error) {
      throw this.fail(`Error parsing host definition '${text}': ${(error as Error).message}`);
    }
    const [entry = "", ...pairs] = words;
    const { pattern, port } = splitHostPort(entry);
    if (entry.trim().endsWith(":") && port === undefined) {
      throw this.fail(
        `Invalid host pattern '${entry}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`,
      );
    }
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (error) {
      throw this.fail((error as Error).message);
    }
    if (names.some((n) => n.trim() === "---"))
      throw this.fail(`Invalid host pattern '${entry}' supplied, '---' is normally a sign this is a YAML file.`);
    const vars: Vars = {};
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq < 0) throw this.fail(`Expected key=value host variable assignment, got: ${pair}`);
      vars[pair.slice(0, eq)] = typed(pair.slice(0, eq), pair.slice(eq + 1));
    }
    this.checked(vars);
    for (const name of names) this.b.addHost(this.group, { name, vars, port });
  }

  variable(text: string): void {
    const eq = text.indexOf("=");
    if (eq < 0) throw this.fail(`Expected key=value, got: ${text}`);
    const key = text.slice(0, eq).trim();
    const value = typed(key, text.slice(eq + 1).trim());
    this.checked({ [key]: value });
    try {
      this.b.setGroupVar(this.group, key, value);
    } catch (error) {
      throw this.fail((error as Error).message);
    }
  }

  child(text: string): void {
    const name = GROUP_NAME.exec(text)?.[1];
    if (!name) throw this.fail(`Expected group name, got: ${text}`);
    if (this.b.tree.groups.has(name)) return this.link(this.group, name);
    const pending = this.pending.get(name);
    if (pending) pending.parents.push(this.group);
    else this.pending.set(name, { line: this.line, state: "children", parents: [this.group] });
  }

  read(text: string): void {
    for (const raw of text.split(LINE_BREAK)) {
      this.line++;
      const line = raw.trim();
      if (!line || line.startsWith("#") || line.startsWith(";")) continue;
      const header = SECTION.exec(line);
      if (header) this.section(header[1]!, header[2] ?? "hosts");
      else if (line.startsWith("[") && line.endsWith("]")) {
        throw this.fail(
          `Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
        );
      } else if (this.state === "hosts") this.host(line);
      else if (this.state === "vars") this.variable(line);
      else this.child(line);
    }
    for (const [name, decl] of this.pending) {
      if (decl.state === "vars") throw this.fail(`Section [${name}:vars] not valid for undefined group: ${name}`, decl.line);
      throw this.fail(`Section [${decl.parents[decl.parents.length - 1]}:children] includes undefined group: ${name}`, decl.line);
    }
  }
}

/**
 * Read INI inventory `text` into `b`. Throws an {@link InventoryError} naming `label:line` and what
 * Ansible would say (with the same wording where Ansible has one).
 */
export function addIniInventory(b: InventoryTreeBuilder, text: string, label: string): void {
  new IniReader(b, label).read(text);
}
