/**
 * YAML text to plain data that remembers where each value came from. Syntax errors, unknown tags
 * and unreadable `!file`/`lookup()` values become one {@link InventoryError} that names the file and
 * the line:column; an unset `!env` becomes an {@link UnsetEnv} that fails only where it is used.
 */
import type { Scalar, YAMLError } from "yaml";
import { LineCounter, isPair, isSeq, parseDocument, visit } from "../generated/vendor/yaml.js";
import { InventoryError } from "../core/errors.js";
import { keyText, problemsError, yamlLocator, type Locator, type Problem } from "./location.js";
import { hasLookup, readTaggedSecret, resolveLookups, type SecretSourceOptions } from "./secret-values.js";
import { UnsetEnv } from "../core/unset-env.js";
import { UNSAFE_TAG, inventoryTags } from "./yaml-tags.js";

/** Parameters for {@link parseYamlSource}. */
export interface YamlSourceOptions extends SecretSourceOptions {
  /** How the source is named in messages (`inventory/cfa2.yml`, `-e @vars.yml`). */
  readonly label: string;
}

/** Data parsed from one YAML source, with a way back to positions in it. */
export interface LocatedData {
  /** The plain value (objects, arrays, strings, numbers, booleans, null). */
  readonly data: unknown;
  /** The name used in messages. */
  readonly label: string;
  /** Finds the line:column of a path inside the source. */
  readonly locate: Locator;
}

function syntaxMessage(label: string, error: YAMLError): string {
  const [line, col] = error.linePos ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
  const text = error.message
    .replace(/ at line \d+, column \d+:[\s\S]*$/, "")
    .replace(/^Unresolved tag: (.*)$/, "unknown tag $1 (bosun understands !env NAME, !file path and !unsafe)");
  const kind = error.code === "TAG_RESOLVE_FAILED" ? "" : "YAML syntax error: ";
  return `${label}:${line}:${col}: ${kind}${text}`;
}

function keyPathOf(ancestors: readonly unknown[], node: Scalar): string[] {
  const chain = [...ancestors, node];
  const path: string[] = [];
  chain.forEach((item, i) => {
    if (isPair(item)) path.push(keyText(item.key));
    else if (isSeq(item)) path.push(String(item.items.indexOf(chain[i + 1] as never)));
  });
  return path;
}

function resolveScalar(node: Scalar, options: SecretSourceOptions, where: () => string): void {
  const name = String(node.value ?? "").trim();
  // An unset !env is not an error until its value is used (see unset-env.ts).
  if (node.tag === "!env" && name && (options.env ?? process.env)[name] === undefined) node.value = new UnsetEnv(name, where());
  else if (node.tag === "!env" || node.tag === "!file") node.value = readTaggedSecret(node.tag, String(node.value ?? ""), options);
  else if (node.tag !== UNSAFE_TAG && typeof node.value === "string" && hasLookup(node.value)) {
    node.value = resolveLookups(node.value, options);
  }
}

/** Parse one YAML source the way Ansible reads inventories and vars files, resolving secret references. */
export function parseYamlSource(text: string, options: YamlSourceOptions): LocatedData {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, version: "1.1", merge: true, customTags: inventoryTags, prettyErrors: true });
  const failures = [...doc.errors, ...doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED")];
  if (failures.length) throw new InventoryError(failures.map((e) => syntaxMessage(options.label, e)).join("\n"));
  const locate = yamlLocator(doc, lines);
  const problems: Problem[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === "key") return;
      try {
        resolveScalar(node, options, () => {
          const at = lines.linePos(node.range?.[0] ?? 0);
          return `${options.label}:${at.line}:${at.col}`;
        });
      } catch (error) {
        problems.push({ path: keyPathOf(ancestors, node), at: "value", message: (error as Error).message });
      }
    },
  });
  if (problems.length) throw problemsError(options.label, locate, problems);
  return { data: doc.toJS({ maxAliasCount: 1000 }), label: options.label, locate };
}
