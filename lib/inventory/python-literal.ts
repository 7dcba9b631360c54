/**
 * Python's `ast.literal_eval`, which Ansible's INI inventory applies to every `k=v` value: strings
 * (quotes, prefixes r/b/u, escapes, adjacent strings joined), numbers (int with `_`, 0x/0o/0b,
 * float, exponent), True/False/None, lists, tuples, dicts, sets, `set()`, unary signs, and comments.
 * A value that is not such a literal stays the text it was. Python values without a JSON twin map
 * to the nearest one: a tuple or set is a list, bytes are text, a complex number or `...` keeps its
 * source text.
 */

/** The result of {@link literalEval}: the value, or `ok: false` when the text is not a literal. */
export type LiteralResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

class NotLiteral extends Error {}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
  "\n": "",
};

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  /** Skip spaces, tabs, newlines (inside brackets), backslash-newlines and comments. */
  skip(): void {
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++;
      else if (c === "\\" && this.text.charAt(this.pos + 1) === "\n") this.pos += 2;
      else if (c === "#") while (this.pos < this.text.length && this.text.charAt(this.pos) !== "\n") this.pos++;
      else return;
    }
  }

  peek(): string {
    this.skip();
    return this.text.charAt(this.pos);
  }

  eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.eat(token)) throw new NotLiteral();
  }
}

function unescape(body: string, raw: boolean): string {
  if (raw) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g, (whole, esc: string) => {
    if (/^[xuU]/.test(esc)) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    if (/^[0-7]+$/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    return ESCAPES[esc] ?? whole;
  });
}

function readString(r: Reader): string | undefined {
  r.skip();
  const m = /^([rRbBuU]|[bB][rR]|[rR][bB])?('''|"""|'|")/.exec(r.text.slice(r.pos));
  if (!m) return undefined;
  const prefix = (m[1] ?? "").toLowerCase();
  const quote = m[2]!;
  let i = r.pos + m[0].length;
  let body = "";
  for (;;) {
    if (i >= r.text.length) throw new NotLiteral();
    if (r.text.startsWith(quote, i)) break;
    const c = r.text.charAt(i);
    if (c === "\n" && quote.length === 1) throw new NotLiteral();
    if (c === "\\") {
      body += r.text.slice(i, i + 2);
      i += 2;
    } else {
      body += c;
      i++;
    }
  }
  r.pos = i + quote.length;
  return unescape(body, prefix.includes("r"));
}

const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/;

function readNumber(r: Reader): number | { complex: string } | undefined {
  r.skip();
  const m = NUMBER.exec(r.text.slice(r.pos));
  if (!m || m[0] === "" || m[0] === ".") return undefined;
  const text = m[0];
  if (/[A-Za-z0-9_]/.test(r.text.charAt(r.pos + text.length))) throw new NotLiteral();
  r.pos += text.length;
  if (/[jJ]$/.test(text)) return { complex: text };
  const clean = text.replace(/_/g, "");
  if (/^0[xX]/.test(clean)) return parseInt(clean.slice(2), 16);
  if (/^0[oO]/.test(clean)) return parseInt(clean.slice(2), 8);
  if (/^0[bB]/.test(clean)) return parseInt(clean.slice(2), 2);
  if (/^0\d/.test(clean) && /^\d+$/.test(clean) && !/^0+$/.test(clean)) throw new NotLiteral(); // 0123 is a syntax error in Python 3
  return Number(clean);
}

function readSequence(r: Reader, close: string): unknown[] {
  const items: unknown[] = [];
  while (!r.eat(close)) {
    items.push(readValue(r));
    if (!r.eat(",")) {
      r.expect(close);
      break;
    }
  }
  return items;
}

function readBraces(r: Reader): unknown {
  if (r.eat("}")) return {};
  const first = readValue(r);
  if (!r.eat(":")) {
    const rest = r.eat(",") ? readSequence(r, "}") : (r.expect("}"), []);
    return [...new Set([first, ...rest].map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as unknown);
  }
  const out: Record<string, unknown> = {};
  out[String(first)] = readValue(r);
  while (r.eat(",")) {
    if (r.eat("}")) return out;
    const key = readValue(r);
    r.expect(":");
    out[String(key)] = readValue(r);
  }
  r.expect("}");
  return out;
}

function readAtom(r: Reader): unknown {
  const c = r.peek();
  if (c === "[") return (r.eat("["), readSequence(r, "]"));
  if (c === "(") {
    r.eat("(");
    if (r.eat(")")) return [];
    const first = readValue(r);
    if (r.eat(")")) return first;
    r.expect(",");
    return [first, ...readSequence(r, ")")];
  }
  if (c === "{") return (r.eat("{"), readBraces(r));
  if (r.eat("...")) return { ellipsis: true };
  const text = readString(r);
  if (text !== undefined) {
    let joined = text;
    for (let next = readString(r); next !== undefined; next = readString(r)) joined += next;
    return joined;
  }
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(r.text.slice(r.pos))?.[0];
  if (word === "True" || word === "False" || word === "None") {
    r.pos += word.length;
    return word === "True" ? true : word === "False" ? false : null;
  }
  if (word === "set") {
    r.pos += 3;
    r.expect("(");
    r.expect(")");
    return [];
  }
  const number = readNumber(r);
  if (number === undefined) throw new NotLiteral();
  return number;
}

function readSigned(r: Reader): unknown {
  if (r.eat("-") || r.eat("+")) {
    const negative = r.text.charAt(r.pos - 1) === "-";
    const value = readSigned(r);
    if (typeof value === "number") return negative ? -value : value;
    if (isComplex(value)) return value;
    throw new NotLiteral();
  }
  return readAtom(r);
}

function isComplex(value: unknown): value is { complex: string } {
  return typeof value === "object" && value !== null && "complex" in value;
}

function readValue(r: Reader): unknown {
  const start = r.pos;
  const value = readSigned(r);
  // Python allows `1+2j` (a real plus an imaginary number) and nothing else with + or -.
  if ((typeof value === "number" || isComplex(value)) && (r.peek() === "+" || r.peek() === "-")) {
    r.pos++;
    if (!isComplex(readAtom(r))) throw new NotLiteral();
    return { complex: r.text.slice(start, r.pos).trim() };
  }
  return value;
}

function toPlain(value: unknown): unknown {
  if (isComplex(value)) return value.complex;
  if (typeof value === "object" && value !== null && "ellipsis" in value) return "...";
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/**
 * Evaluate `text` like Python's `ast.literal_eval` (leading spaces and tabs ignored, a top-level
 * `1, 2` is a tuple).
 * @example literalEval("[1, 'a']") // { ok: true, value: [1, "a"] }
 */
export function literalEval(text: string): LiteralResult {
  const r = new Reader(text.replace(/^[ \t]+/, ""));
  try {
    if (r.peek() === "") return { ok: false };
    let value = readValue(r);
    if (r.eat(",")) {
      const rest: unknown[] = [];
      while (r.peek() !== "") {
        rest.push(readValue(r));
        if (!r.eat(",")) break;
      }
      value = [value, ...rest];
    }
    if (r.peek() !== "") return { ok: false };
    return { ok: true, value: toPlain(value) };
  } catch (error) {
    if (error instanceof NotLiteral) return { ok: false };
    throw error;
  }
}

/** An INI inventory value as Ansible reads it: the literal it spells, else the text itself. */
export function iniValue(text: string): unknown {
  const result = literalEval(text);
  return result.ok ? result.value : text;
}
