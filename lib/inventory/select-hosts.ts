/**
 * Select the hosts of a play: its `hosts` pattern, narrowed by `--limit`, evaluated as Ansible's
 * InventoryManager does (see `host-pattern.ts` for the language). A name that matches no host or
 * group is skipped with Ansible's warning ("Could not match supplied host pattern, ignoring: x");
 * `--limit @file` reads one pattern per line (a retry file).
 */
import { readFileSync, statSync } from "node:fs";
import { InventoryError } from "../core/errors.js";
import { splitHostPatternText, splitSubscript, termMatcher, isWildcard } from "./host-pattern.js";
import { resolveUserPath } from "./paths.js";
import type { Inventory } from "./types.js";
import { warnInventory } from "./warnings.js";

/** Options of {@link selectHosts}. */
export interface SelectHostsOptions {
  /** `--limit` pattern (`@file` entries read relative to `cwd`). */
  readonly limit?: string;
  /** Directory of `@file` paths (process.cwd()). */
  readonly cwd?: string;
  /** Receives the warnings (the inventory warning sink by default). */
  readonly warn?: (message: string) => void;
}

interface Evaluation {
  readonly inventory: Inventory;
  readonly verb: string;
  readonly warn: (message: string) => void;
}

/** Group names in the order Ansible holds them (creation order). */
function groupNames(inventory: Inventory): string[] {
  return [...(inventory.structure ?? inventory.groups).keys()];
}

/** The hosts of a group in Ansible's order: its own, then its children's level by level. */
function groupHosts(inventory: Inventory, name: string): string[] {
  const structure = inventory.structure;
  if (!structure) return [...(inventory.groups.get(name) ?? [])];
  const ordered = [name, ...(structure.get(name)?.children ?? [])];
  const seen = new Set(ordered);
  let level = [...ordered];
  while (level.length) {
    const next: string[] = [];
    for (const group of level) {
      for (const child of structure.get(group)?.children ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        next.push(child);
        ordered.push(child);
      }
    }
    level = next;
  }
  const out: string[] = [];
  const taken = new Set<string>();
  for (const group of ordered) {
    for (const host of structure.get(group)?.hosts ?? []) {
      if (!taken.has(host)) {
        taken.add(host);
        out.push(host);
      }
    }
  }
  return out;
}

function matcher(ev: Evaluation, expr: string): (name: string) => boolean {
  try {
    return termMatcher(expr);
  } catch (error) {
    throw new InventoryError(`Cannot ${ev.verb} "${expr}": ${(error as Error).message}`);
  }
}

function enumerate(ev: Evaluation, expr: string): string[] {
  const test = matcher(ev, expr);
  const groups = groupNames(ev.inventory).filter(test);
  const results = groups.flatMap((g) => groupHosts(ev.inventory, g));
  if (groups.length === 0 || isWildcard(expr)) results.push(...[...ev.inventory.hosts.keys()].filter(test));
  if (results.length === 0 && groups.length === 0 && expr !== "all") ev.warn(`Could not match supplied host pattern, ignoring: ${expr}`);
  return results;
}

function matchOne(ev: Evaluation, text: string): string[] {
  const { expr, start, end } = splitSubscript(text);
  const hosts = enumerate(ev, expr);
  if (hosts.length === 0 || start === undefined) return hosts;
  if (end) return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
  const host = hosts[start < 0 ? hosts.length + start : start];
  if (host === undefined)
    throw new InventoryError(
      `Cannot ${ev.verb} "${text}": No hosts matched the subscripted pattern '${text}' (it matches ${hosts.length})`,
    );
  return [host];
}

function evaluate(ev: Evaluation, patterns: readonly string[]): string[] {
  const regular = patterns.filter((p) => !p.startsWith("&") && !p.startsWith("!"));
  const ordered = [
    ...(regular.length ? regular : ["all"]),
    ...patterns.filter((p) => p.startsWith("&")),
    ...patterns.filter((p) => p.startsWith("!")),
  ];
  let hosts: string[] = [];
  for (const p of ordered) {
    if (ev.inventory.hosts.has(p)) {
      hosts.push(p);
      continue;
    }
    const that = new Set(matchOne(ev, p.startsWith("&") || p.startsWith("!") ? p.slice(1) : p));
    if (p.startsWith("!")) hosts = hosts.filter((h) => !that.has(h));
    else if (p.startsWith("&")) hosts = hosts.filter((h) => that.has(h));
    else {
      const existing = new Set(hosts);
      hosts.push(...[...that].filter((h) => !existing.has(h)));
    }
  }
  return hosts;
}

/** The patterns of a `--limit`: its elements, with each `@file` replaced by the file's lines. */
export function limitPatterns(limit: string, cwd: string = process.cwd()): string[] {
  const out: string[] = [];
  for (const piece of splitHostPatternText(limit)) {
    if (!piece.startsWith("@")) {
      out.push(piece);
      continue;
    }
    const path = resolveUserPath(piece.slice(1), cwd);
    let isFile: boolean;
    try {
      isFile = statSync(path).isFile();
    } catch {
      throw new InventoryError(`Unable to find limit file ${piece.slice(1)}`, {
        hint: "A retry file is written beside the playbook when retry_files_enabled is on (see README).",
      });
    }
    if (!isFile) throw new InventoryError(`Limit starting with "@" must be a file, not a directory: ${piece.slice(1)}`);
    out.push(
      ...readFileSync(path, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  return out;
}

/** `limit` with every `@file` made absolute from `cwd`, for code that evaluates it elsewhere; unchanged when it has none. */
export function limitWithAbsoluteFiles(limit: string, cwd: string): string {
  const pieces = splitHostPatternText(limit);
  if (!pieces.some((p) => p.startsWith("@"))) return limit;
  return pieces.map((p) => (p.startsWith("@") ? `@${resolveUserPath(p.slice(1), cwd)}` : p)).join(",");
}

/**
 * The hosts a play runs on, in inventory order: those matching `pattern` (the play's `hosts`) and,
 * when given, the `--limit` patterns. Names that match nothing are warned about and skipped, as in
 * Ansible; an empty result is not an error. A subscript past the end is an InventoryError.
 * @example selectHosts(inventory, "app:&staging:!web3", "web*")
 * @example selectHosts(inventory, "all", { limit: "@site.retry,db[0]" })
 */
export function selectHosts(inventory: Inventory, pattern: string, limit?: string | SelectHostsOptions): string[] {
  const options: SelectHostsOptions = typeof limit === "string" ? { limit } : (limit ?? {});
  const warn = options.warn ?? warnInventory;
  const selected = new Set(evaluate({ inventory, verb: "select hosts", warn }, splitHostPatternText(pattern)));
  const limited =
    options.limit === undefined
      ? undefined
      : new Set(evaluate({ inventory, verb: "limit to", warn }, limitPatterns(options.limit, options.cwd)));
  return [...inventory.hosts.keys()].filter((h) => selected.has(h) && (!limited || limited.has(h)));
}
