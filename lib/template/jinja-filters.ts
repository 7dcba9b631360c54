/**
 * Ansible's common Jinja filters with Ansible's (Python's) results: default/d, upper, lower, join,
 * to_json, to_nice_json, to_yaml, regex_replace, b64encode, b64decode, bool, int, mandatory, quote,
 * and Jinja's indent (blank lines stay empty). Filters see values that strict mode has already
 * checked (see jinja-strict.ts), except `default` and `mandatory`, which exist for undefined ones.
 */
import { Document, isCollection, isMap, isSeq, visit } from "../generated/vendor/yaml.js";
import { MissingVariableError, HelperError } from "./template-error.js";
import { pyJsonDumps, pyStr } from "./python-values.js";

/** A filter as nunjucks calls it: the value, then the arguments (keyword arguments as a last object with `__keywords`). */
export type JinjaFilter = (value: unknown, ...args: unknown[]) => unknown;

interface Keywords {
  readonly __keywords?: true;
  readonly [name: string]: unknown;
}

/** Split nunjucks' arguments into positional ones and keyword arguments. */
function split(args: unknown[]): { positional: unknown[]; keywords: Keywords } {
  const last = args[args.length - 1] as Keywords | undefined;
  if (last && typeof last === "object" && last.__keywords) return { positional: args.slice(0, -1), keywords: last };
  return { positional: args, keywords: {} };
}

function arg<T>(args: unknown[], index: number, name: string, fallback: T): T {
  const { positional, keywords } = split(args);
  if (name in keywords) return keywords[name] as T;
  return positional.length > index ? (positional[index] as T) : fallback;
}

function pythonRegex(pattern: string): string {
  return pattern
    .replace(/\(\?P<(\w+)>/g, "(?<$1>")
    .replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/\\A/g, "^")
    .replace(/\\Z/g, "$");
}

function pythonReplacement(replacement: string): string {
  return replacement
    .replace(/\$/g, "$$$$")
    .replace(/\\g<(\d+)>/g, "$$$1")
    .replace(/\\g<(\w+)>/g, "$$<$1>")
    .replace(/\\(\d{1,2})/g, "$$$1")
    .replace(/\\n/g, "\n")
    .replace(/\\t/g, "\t")
    .replace(/\\\\/g, "\\");
}

/** Python's `shlex.quote`. */
export function shellQuote(text: string): string {
  if (text === "") return "''";
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** Jinja's `indent(width=4, first=False, blank=False)`. */
function indent(value: unknown, ...args: unknown[]): string {
  const width = arg<number | string>(args, 0, "width", 4);
  const first = arg(args, 1, "first", false);
  const blank = arg(args, 2, "blank", false);
  const pad = typeof width === "string" ? width : " ".repeat(width);
  const lines = `${pyStr(value)}\n`.split(/\r\n|\r|\n/);
  lines.pop();
  let out: string;
  if (blank) out = lines.join(`\n${pad}`);
  else out = [lines[0] ?? "", ...lines.slice(1).map((l) => (l ? pad + l : l))].join("\n");
  return first ? pad + out : out;
}

/** PyYAML's `yaml.dump(value, allow_unicode=True, default_flow_style=None)`: keys sorted, collections of scalars in flow style. */
function toYaml(value: unknown): string {
  const doc = new Document(value, { sortMapEntries: true });
  visit(doc, {
    Map(_, node) {
      if (node.items.every((p) => !isCollection(p.value))) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((i) => !isCollection(i))) node.flow = true;
    },
  });
  const text = doc.toString({ indentSeq: false, flowCollectionPadding: false, singleQuote: true, lineWidth: 80 });
  if (!isMap(doc.contents) && !isSeq(doc.contents) && !/^['"]/.test(text)) return `${text}...\n`;
  return text;
}

function toBool(value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return value;
  const text = String(value).toLowerCase();
  return ["yes", "on", "1", "true"].includes(text);
}

function toInt(value: unknown, ...args: unknown[]): number {
  const fallback = arg(args, 0, "default", 0);
  const base = arg(args, 1, "base", 10);
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  const text = String(value).trim().replace(/_/g, "");
  const parsed = base === 10 ? (/^[+-]?\d+$/.test(text) ? Number(text) : Number.parseFloat(text)) : Number.parseInt(text, base);
  return Number.isFinite(parsed) && (base !== 10 || /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) ? Math.trunc(parsed) : fallback;
}

/** The filters registered in bosun's Jinja environment, by name. */
export const jinjaFilters: Readonly<Record<string, JinjaFilter>> = {
  default: (value, ...args) => {
    const fallback = arg(args, 0, "default_value", "");
    const boolean = arg(args, 1, "boolean", false);
    return value === undefined || (boolean && !value) ? fallback : value;
  },
  upper: (value) => pyStr(value).toUpperCase(),
  lower: (value) => pyStr(value).toLowerCase(),
  join: (value, ...args) => {
    const separator = arg(args, 0, "d", "");
    const attribute = arg<string | undefined>(args, 1, "attribute", undefined);
    if (typeof value === "string") return [...value].join(pyStr(separator));
    if (!Array.isArray(value)) throw new HelperError(`filter "join" needs a list, got ${pyStr(value)}`);
    return value.map((item) => pyStr(attribute === undefined ? item : (item as Record<string, unknown>)[attribute])).join(pyStr(separator));
  },
  to_json: (value, ...args) =>
    pyJsonDumps(value, { indent: arg(args, 0, "indent", undefined), sortKeys: arg(args, 1, "sort_keys", false) }),
  to_nice_json: (value, ...args) => pyJsonDumps(value, { indent: arg(args, 0, "indent", 4), sortKeys: arg(args, 1, "sort_keys", true) }),
  to_yaml: (value) => toYaml(value),
  regex_replace: (value, ...args) => {
    const pattern = arg(args, 0, "pattern", "");
    const replacement = arg(args, 1, "replacement", "");
    const flags = `g${arg(args, 2, "ignorecase", false) ? "i" : ""}${arg(args, 3, "multiline", false) ? "m" : ""}`;
    return pyStr(value).replace(new RegExp(pythonRegex(String(pattern)), flags), pythonReplacement(String(replacement)));
  },
  b64encode: (value) => Buffer.from(pyStr(value), "utf8").toString("base64"),
  b64decode: (value) => Buffer.from(pyStr(value), "base64").toString("utf8"),
  bool: toBool,
  int: toInt,
  quote: (value) => shellQuote(pyStr(value)),
  indent,
};

/**
 * `mandatory` as strict mode calls it: the value, the variable's name and line (added by
 * jinja-strict.ts), then the filter's own `msg`.
 */
export function mandatory(value: unknown, name: string, line: number, ...args: unknown[]): unknown {
  if (value !== undefined) return value;
  const msg = arg<string | undefined>(args, 0, "msg", undefined);
  if (msg) throw new HelperError(`${msg}`, line);
  throw new MissingVariableError(name, line);
}
