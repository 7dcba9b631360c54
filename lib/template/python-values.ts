/**
 * Values printed the way Python prints them, so that a `.j2` template renders the bytes Ansible's
 * `template` module writes: `str()` of True/None/lists/dicts, and `json.dumps` with its separators,
 * `sort_keys` and `ensure_ascii` escaping (to_json, to_nice_json).
 */

/** Python's `repr()` of a string: single quotes unless the text holds one and no double quote. */
export function pyReprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value. */
export function pyRepr(value: unknown): string {
  if (typeof value === "string") return pyReprString(value);
  return pyStr(value);
}

/** Python's `str()` of a JSON-like value: `True`, `None`, `['a', 1]`, `{'k': 'v'}`; strings unchanged. */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyReprString(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

/** Options of {@link pyJsonDumps}, named as in Python's `json.dumps`. */
export interface JsonDumpsOptions {
  /** Spaces per level; one line when omitted. */
  readonly indent?: number;
  /** Sort object keys. */
  readonly sortKeys?: boolean;
  /** Item and key separators; `[", ", ": "]` on one line, `[",", ": "]` with an indent. */
  readonly separators?: readonly [string, string];
  /** Escape every non-ASCII character as `\uXXXX` (Python's default). */
  readonly ensureAscii?: boolean;
}

function jsonString(text: string, ensureAscii: boolean): string {
  const plain = JSON.stringify(text);
  if (!ensureAscii) return plain;
  return plain.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python's `json.dumps(value, ...)`. */
export function pyJsonDumps(value: unknown, options: JsonDumpsOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const [itemSep, keySep] = options.separators ?? (options.indent === undefined ? [", ", ": "] : [",", ": "]);
  const dump = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "string") return jsonString(v, ensureAscii);
    if (typeof v === "number") return Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN";
    if (typeof v === "boolean") return String(v);
    const entries: [string | undefined, unknown][] = Array.isArray(v)
      ? v.map((item) => [undefined, item])
      : Object.entries(v as Record<string, unknown>);
    if (!Array.isArray(v) && options.sortKeys) entries.sort(([a], [b]) => ((a ?? "") < (b ?? "") ? -1 : (a ?? "") > (b ?? "") ? 1 : 0));
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) return open + close;
    const parts = entries.map(([k, item]) => (k === undefined ? "" : jsonString(k, ensureAscii) + keySep) + dump(item, depth + 1));
    if (options.indent === undefined) return open + parts.join(itemSep) + close;
    const pad = " ".repeat(options.indent * (depth + 1));
    const end = " ".repeat(options.indent * depth);
    return `${open}\n${pad}${parts.join(`${itemSep}\n${pad}`)}\n${end}${close}`;
  };
  return dump(value, 0);
}
