/**
 * The nunjucks environment behind `.j2` templates, set up as Ansible sets up Jinja2: trim_blocks on,
 * lstrip_blocks off, no autoescaping, Ansible's filters, strict undefined variables
 * (jinja-strict.ts), values printed as Python's str() with None as "" (Ansible's finalize), Python
 * string literals (jinja-strings.ts). nunjucks is loaded with the first Jinja template: most runs
 * render none.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type Nunjucks from "nunjucks";
import { jinjaFilters, mandatory, type JinjaFilter } from "./jinja-filters.js";
import { MANDATORY_FILTER, PRINT_FILTER, STRICT_FILTER, makeStrict, type JinjaNode } from "./jinja-strict.js";
import { usePythonStrings } from "./jinja-strings.js";
import { pyStr } from "./python-values.js";
import { MissingVariableError } from "./template-error.js";

const require = createRequire(import.meta.url);

interface Internals {
  parser: { parse(src: string, extensions: unknown, opts: unknown): JinjaNode };
  transformer: { transform(ast: JinjaNode, asyncFilters: unknown, name: string): JinjaNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: JinjaNode): void; getCode(): string } };
}

interface Engine {
  readonly nunjucks: typeof Nunjucks;
  readonly env: Nunjucks.Environment;
  readonly internals: Internals;
}

/** Template source as Jinja's lexer sees it, and the newlines Ansible restores after rendering. */
export interface PreparedSource {
  /** The text to compile: newlines normalised, comment newlines trimmed, one trailing newline dropped. */
  readonly body: string;
  /** How many newlines the template ends with (Ansible's template module keeps as many). */
  readonly trailingNewlines: number;
}

/** The number of newlines `text` ends with. */
export function countTrailingNewlines(text: string): number {
  return text.length - text.replace(/\n+$/, "").length;
}

/** Prepare template text as Jinja2 reads it with Ansible's settings. */
export function prepareSource(source: string): PreparedSource {
  // trim_blocks also drops the newline after a comment, which nunjucks keeps.
  const normalized = source.replace(/\r\n?/g, "\n").replace(/(\{#[\s\S]*?#\})\n/g, "$1");
  // keep_trailing_newline=False: Jinja drops one trailing newline of every template, included ones too.
  const body = normalized.endsWith("\n") ? normalized.slice(0, -1) : normalized;
  return { body, trailingNewlines: countTrailingNewlines(normalized) };
}

/** The error raised inside the current render by a strict check or a filter, before nunjucks wraps it. */
let pending: Error | undefined;

/** The error a check raised during the last render (cleared by reading it). */
export function takeRenderError(): Error | undefined {
  const error = pending;
  pending = undefined;
  return error;
}

function raise(error: Error): never {
  pending = error;
  throw error;
}

/** `fn`, with what it throws kept for the message (nunjucks would wrap it as "Error: ..."). */
function recorded(fn: JinjaFilter): JinjaFilter {
  return (value, ...args) => {
    try {
      return fn(value, ...args);
    } catch (error) {
      return raise(error as Error);
    }
  };
}

/** Directories `{% include %}`, `{% import %}` and `{% extends %}` look in, set for each render. */
let searchPath: readonly string[] = [];

/** Set the directories that included templates are looked up in (the rendered file's directory). */
export function useSearchPath(dirs: readonly string[]): void {
  searchPath = dirs;
}

/** nunjucks' loader interface: included templates are compiled like the top one. */
const loader = {
  getSource(name: string): { src: unknown; path: string; noCache: boolean } | null {
    for (const dir of searchPath) {
      const path = join(dir, name);
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        continue;
      }
      return { src: { type: "code", obj: compileProps(prepareSource(text).body, path) }, path, noCache: true };
    }
    return null;
  },
};

function createEnvironment(nunjucks: typeof Nunjucks): Nunjucks.Environment {
  const options = { autoescape: false, trimBlocks: true, lstripBlocks: false, throwOnUndefined: false };
  const env = new nunjucks.Environment(loader as unknown as Nunjucks.ILoader, options);
  for (const [name, fn] of Object.entries(jinjaFilters)) env.addFilter(name, recorded(fn));
  env.addFilter("d", recorded(jinjaFilters.default as JinjaFilter));
  env.addFilter(STRICT_FILTER, (value: unknown, name: string, line: number, template: string) =>
    value === undefined ? raise(Object.assign(new MissingVariableError(name, line), { template })) : value,
  );
  env.addFilter(MANDATORY_FILTER, (value: unknown, name: string, line: number, ...args: unknown[]) => {
    try {
      return mandatory(value, name, line, ...args);
    } catch (error) {
      return raise(error as Error);
    }
  });
  // Jinja's `is none` (nunjucks calls it `null`); addTest is missing from @types/nunjucks.
  (env as unknown as { addTest(name: string, fn: (value: unknown) => boolean): void }).addTest("none", (value: unknown) => value === null);
  // `{{ expr }}` prints as Python's str(); None prints as "" (Ansible's finalize), inside lists and dicts as None.
  env.addFilter(PRINT_FILTER, (value: unknown, line: number) => {
    try {
      return value === undefined || value === null ? "" : pyStr(value);
    } catch (error) {
      return raise(Object.assign(error as Error, { line }));
    }
  });
  return env;
}

let engine: Engine | undefined;

function load(): Engine {
  if (engine) return engine;
  const nunjucks = require("nunjucks") as typeof Nunjucks;
  // Jinja's dict methods (.items(), .keys(), .values()), True/False/None and slices, for templates written for Python.
  nunjucks.installJinjaCompat();
  usePythonStrings(require("nunjucks/src/lexer.js") as Parameters<typeof usePythonStrings>[0]);
  const internals: Internals = {
    parser: require("nunjucks/src/parser.js") as Internals["parser"],
    transformer: require("nunjucks/src/transformer.js") as Internals["transformer"],
    compiler: require("nunjucks/src/compiler.js") as Internals["compiler"],
  };
  engine = { nunjucks, env: createEnvironment(nunjucks), internals };
  return engine;
}

/** Compile prepared template text (strict references, Python output) to nunjucks' template functions. */
function compileProps(body: string, name: string): unknown {
  const { env, internals } = load();
  const ast = internals.parser.parse(body, [], (env as unknown as { opts: unknown }).opts);
  makeStrict(ast, name);
  const compiler = new internals.compiler.Compiler(name, false);
  compiler.compile(internals.transformer.transform(ast, [], name));
  return new Function(compiler.getCode())() as unknown;
}

/** A nunjucks template compiled from prepared text. */
export function compileTemplate(body: string, name: string): Nunjucks.Template {
  const { nunjucks, env } = load();
  return new nunjucks.Template({ type: "code", obj: compileProps(body, name) } as unknown as string, env, name, true);
}
