/**
 * Render Jinja2 templates (`.j2`) as Ansible's `template` module does, with nunjucks: trim_blocks on,
 * lstrip_blocks off, no autoescaping, one trailing newline of the template dropped by Jinja and then
 * restored by Ansible (so the file ends with as many newlines as the template), values printed as
 * Python prints them (True, None, ['a']), Ansible's common filters, and strict undefined variables.
 */
import { createRequire } from "node:module";
import type Nunjucks from "nunjucks";
import { ParamsError } from "../core/errors.js";
import type { Vars } from "../core/vars.js";
import { jinjaFilters, mandatory } from "./jinja-filters.js";
import { MANDATORY_FILTER, STRICT_FILTER, makeStrict, type JinjaNode } from "./jinja-strict.js";
import { usePythonStrings } from "./jinja-strings.js";
import { pyStr } from "./python-values.js";
import { HelperError, MissingVariableError } from "./template-error.js";

// nunjucks is loaded with the first Jinja template: most runs render none.
const require = createRequire(import.meta.url);
interface Internals {
  parser: { parse(src: string, extensions: unknown, opts: unknown): JinjaNode };
  transformer: { transform(ast: JinjaNode, asyncFilters: unknown, name: string): JinjaNode };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(ast: JinjaNode): void; getCode(): string } };
}

/** Options of {@link renderJinja}. */
export interface RenderJinjaOptions {
  /** How the template is named in errors (`roles/nginx/templates/vhost.j2`). */
  readonly name?: string;
}

/** The error raised inside the current render by a strict check or a filter, before nunjucks wraps it. */
let pending: Error | undefined;

function raise(error: Error): never {
  pending = error;
  throw error;
}

interface Engine {
  readonly nunjucks: typeof Nunjucks;
  readonly env: Nunjucks.Environment;
  readonly internals: Internals;
}

function createEnvironment(nunjucks: typeof Nunjucks): Nunjucks.Environment {
  const env = new nunjucks.Environment(null, { autoescape: false, trimBlocks: true, lstripBlocks: false, throwOnUndefined: false });
  for (const [name, fn] of Object.entries(jinjaFilters)) env.addFilter(name, fn);
  env.addFilter("d", jinjaFilters.default as (...args: unknown[]) => unknown);
  env.addFilter(STRICT_FILTER, (value: unknown, name: string, line: number) =>
    value === undefined ? raise(new MissingVariableError(name, line)) : value,
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
  // Output as Python's str(): compiled templates call env.bosunOutput instead of runtime.suppressValue.
  // None prints as "" (Ansible's finalize), inside lists and dicts as None.
  Object.assign(env, { bosunOutput: (value: unknown) => (value === undefined || value === null ? "" : pyStr(value)) });
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

const compiled = new Map<string, Nunjucks.Template>();

function compile(source: string, name: string): Nunjucks.Template {
  const { nunjucks, env, internals } = load();
  const ast = internals.parser.parse(source, [], (env as unknown as { opts: unknown }).opts);
  makeStrict(ast);
  const compiler = new internals.compiler.Compiler(name, false);
  compiler.compile(internals.transformer.transform(ast, [], name));
  const code = compiler.getCode().replaceAll("runtime.suppressValue(", "env.bosunOutput(");
  const props = new Function(code)() as unknown;
  return new nunjucks.Template({ type: "code", obj: props } as unknown as string, env, name, true);
}

function trailingNewlines(text: string): number {
  return text.length - text.replace(/\n+$/, "").length;
}

interface NunjucksError {
  readonly message: string;
  readonly lineno?: number;
}

function explain(error: unknown): string {
  const cause = pending;
  pending = undefined;
  if (cause instanceof MissingVariableError || cause instanceof HelperError) return cause.message;
  const e = error as NunjucksError;
  const text = (e.message ?? String(error)).replace(/^\([^)]*\)(?: \[Line \d+(?:, Column \d+)?\])?\n\s*/, "");
  if (typeof e.lineno === "number") return `syntax error on line ${e.lineno}: ${text}`;
  if ("lineno" in (e as object)) return `syntax error: ${text}`;
  const line = /\[Line (\d+)/.exec(e.message ?? "")?.[1];
  return line ? `${text} (line ${line})` : text;
}

/**
 * Render a Jinja2 template with `vars` as Ansible's template module would; a variable that is not
 * defined is a ParamsError naming the template, the variable and the line.
 * @example renderJinja("server_name {{ server_name | lower }};\n", { server_name: "Example.org" }, { name: "site.conf.j2" })
 */
export function renderJinja(source: string, vars: Vars, options: RenderJinjaOptions = {}): string {
  const name = options.name ?? "<template>";
  // trim_blocks also drops the newline after a comment, which nunjucks keeps.
  const normalized = source.replace(/\r\n?/g, "\n").replace(/(\{#[\s\S]*?#\})\n/g, "$1");
  // Jinja drops one trailing newline of the template (keep_trailing_newline=False) ...
  const body = normalized.endsWith("\n") ? normalized.slice(0, -1) : normalized;
  pending = undefined;
  let output: string;
  try {
    let template = compiled.get(body);
    if (!template) {
      template = compile(body, name);
      compiled.set(body, template);
    }
    output = template.render({ ...vars });
  } catch (error) {
    throw new ParamsError(`Cannot render template ${name}: ${explain(error)}`);
  }
  // ... and Ansible's template module adds back as many as the template had beyond the output's.
  const missing = trailingNewlines(normalized) - trailingNewlines(output);
  return missing > 0 ? output + "\n".repeat(missing) : output;
}
