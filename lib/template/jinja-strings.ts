/**
 * String literals in Jinja templates read as Python reads them: an unknown escape keeps its
 * backslash (`'\d+'` is the regex `\d+`, as in Ansible's regex_replace arguments), `\2` is an octal
 * escape, `\xhh` and `\uXXXX` are code points. Nunjucks drops the backslash of unknown escapes, so
 * its lexer's string reader is replaced (once, when the Jinja engine loads).
 */

/** The part of nunjucks' Tokenizer that reads strings. */
interface Tokenizer {
  isFinished(): boolean;
  current(): string;
  forward(): void;
  _parseString(delimiter: string): string;
}

const SIMPLE: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\u0007",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\n": "",
};

function take(t: Tokenizer, test: RegExp, max: number): string {
  let out = "";
  while (out.length < max && !t.isFinished() && test.test(t.current())) {
    out += t.current();
    t.forward();
  }
  return out;
}

/** Read the escape after a backslash (the tokenizer stands on the character after it). */
function escape(t: Tokenizer): string {
  const ch = t.current();
  if (ch in SIMPLE) {
    t.forward();
    return SIMPLE[ch] as string;
  }
  if (/[0-7]/.test(ch)) return String.fromCharCode(Number.parseInt(take(t, /[0-7]/, 3), 8));
  if (ch === "x" || ch === "u") {
    t.forward();
    const digits = take(t, /[0-9a-fA-F]/, ch === "x" ? 2 : 4);
    return String.fromCharCode(Number.parseInt(digits || "0", 16));
  }
  t.forward();
  return `\\${ch}`;
}

/** Replace the string reader of nunjucks' lexer (given as its module) with Python's rules. */
export function usePythonStrings(lexer: { lex(src: string, opts: unknown): unknown }): void {
  const proto = Object.getPrototypeOf(lexer.lex("", {})) as Tokenizer;
  proto._parseString = function parsePythonString(this: Tokenizer, delimiter: string): string {
    this.forward();
    let str = "";
    while (!this.isFinished() && this.current() !== delimiter) {
      if (this.current() === "\\") {
        this.forward();
        str += escape(this);
      } else {
        str += this.current();
        this.forward();
      }
    }
    this.forward();
    return str;
  };
}
