/**
 * Positions inside a YAML source: find the node at a path of keys, and write an error as
 * `inventory/cfa2.yml:7:5 all.children.app.hosts.cfa2.ansible_port: must be ...`.
 */
import type { Document, LineCounter, Node } from "yaml";
import { isAlias, isMap, isScalar, isSeq } from "../generated/vendor/yaml.js";
import { InventoryError } from "../core/errors.js";

/** A path of keys (and sequence indexes) from the document root. */
export type KeyPath = readonly string[];

/** Finds the `line:col` of a path inside one source; undefined when the source has no positions. */
export type Locator = (path: KeyPath, at?: "key" | "value") => string | undefined;

/** One problem found in a source, before it becomes an {@link InventoryError}. */
export interface Problem {
  /** Where in the data (keys from the root). */
  readonly path: KeyPath;
  /** Whether the problem is the key itself (an unknown key) or its value. */
  readonly at: "key" | "value";
  /** What is wrong and what was expected. */
  readonly message: string;
}

/** The text of a mapping key as Ansible sees it (keys are strings). */
export function keyText(key: unknown): string {
  return String(isScalar(key) ? key.value : key);
}

/** `all.hosts["web1.example.com"].ansible_port`: dotted, with odd keys quoted. */
export function formatPath(path: KeyPath): string {
  return path.reduce((out, key) => {
    if (/^[^.\s"[\]]+$/.test(key)) return out ? `${out}.${key}` : key;
    return `${out}[${JSON.stringify(key)}]`;
  }, "");
}

function start(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range && range[1] > range[0] ? range[0] : undefined;
}

/** A {@link Locator} for a parsed YAML document. */
export function yamlLocator(doc: Document, lines: LineCounter): Locator {
  return (path, at = "value") => {
    let node: unknown = doc.contents;
    let offset = start(node) ?? 0;
    for (const [i, key] of path.entries()) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === key);
        if (!pair) break;
        const keyOffset = start(pair.key) ?? offset;
        if (at === "key" && i === path.length - 1) {
          offset = keyOffset;
          break;
        }
        node = pair.value;
        offset = start(node) ?? keyOffset;
      } else if (isSeq(node)) {
        node = node.items[Number(key)];
        offset = start(node) ?? offset;
      } else break;
    }
    const { line, col } = lines.linePos(offset);
    return `${line}:${col}`;
  };
}

function positionKey(position: string | undefined): [number, number] {
  const [line = 0, col = 0] = (position ?? "0:0").split(":").map(Number);
  return [line, col];
}

/** One {@link InventoryError} listing every problem as `file:line:col path: message`, in source order. */
export function problemsError(label: string, locate: Locator | undefined, problems: readonly Problem[]): InventoryError {
  const lines = problems.map((problem) => {
    const position = locate?.(problem.path, problem.at);
    const where = position ? `${label}:${position}` : label;
    const text = problem.path.length ? `${where} ${formatPath(problem.path)}: ${problem.message}` : `${where}: ${problem.message}`;
    return { text, key: positionKey(position) };
  });
  lines.sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1]);
  return new InventoryError(lines.map((l) => l.text).join("\n"));
}
