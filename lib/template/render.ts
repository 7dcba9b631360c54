/**
 * Render templates for config files: handlebars (`.hbs` and any file that is not Jinja) or Jinja2
 * (`.j2`, see jinja-render.ts). Handlebars is strict (a missing variable is a ParamsError naming
 * the template, the variable and the line), no HTML escaping (values are inserted literally).
 */
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ParamsError } from "../core/errors.js";
import type { Vars } from "../core/vars.js";
import { COMPILE_OPTIONS, createTemplateEnvironment } from "./environment.js";
import { ansibleTemplateVars } from "./ansible-template-vars.js";
import { renderJinja } from "./jinja-render.js";
import { HelperError, MissingVariableError } from "./template-error.js";

let env: ReturnType<typeof createTemplateEnvironment> | undefined;

/** Options of {@link renderTemplate}. */
export interface RenderTemplateOptions {
  /** How the template is named in errors (a path such as `roles/nginx/templates/site.conf.hbs`). */
  readonly name?: string;
}

interface HandlebarsException {
  readonly message: string;
  readonly lineNumber?: number;
  readonly column?: number;
}

/** The path written at a position, and whether arguments follow it (a helper call). */
function expressionAt(source: string, line: number, column: number, fallback: string): { path: string; call: boolean } {
  const text = source.split("\n")[line - 1]?.slice(column) ?? "";
  const match = /^([\w@$./-]+)(\s+[^\s}~])?/.exec(text);
  const path = match?.[1];
  if (!path || path.split(/[./]/).pop() !== fallback) return { path: fallback, call: false };
  return { path, call: match?.[2] !== undefined };
}

function explain(error: unknown, source: string): string {
  if (error instanceof MissingVariableError || error instanceof HelperError) return error.message;
  const e = error as HandlebarsException;
  const missing = /^"(.+)" not defined in /.exec(e.message ?? "");
  if (missing && e.lineNumber !== undefined) {
    const { path, call } = expressionAt(source, e.lineNumber, e.column ?? 0, missing[1] ?? "");
    if (call) return `helper "${path}" is not defined (line ${e.lineNumber})`;
    return new MissingVariableError(path, e.lineNumber).message;
  }
  const parse = /^Parse error on line (\d+):\n([\s\S]*)$/.exec(e.message ?? "");
  if (parse) return `syntax error on line ${parse[1]}:\n${parse[2]}`;
  return e.message ?? String(error);
}

const compiled = new Map<string, (vars: Vars) => string>();

/**
 * Render a handlebars template with `vars`. `{{#if x}}`, `{{#each x}}` and `{{default x "y"}}` accept
 * a missing `x`; anywhere else a missing variable is an error.
 * @example renderTemplate("server_name {{server_name}};\n", { server_name: "example.org" }, { name: "site.conf.hbs" })
 */
export function renderTemplate(source: string, vars: Vars, options: RenderTemplateOptions = {}): string {
  const name = options.name ?? "<template>";
  try {
    // One compile per template source, not per host: a 50-host run renders the same template 50 times.
    let template = compiled.get(source);
    if (!template) {
      env ??= createTemplateEnvironment();
      template = env.compile(source, COMPILE_OPTIONS);
      compiled.set(source, template);
    }
    return template(vars);
  } catch (error) {
    throw new ParamsError(`Cannot render template ${name}: ${explain(error, source)}`);
  }
}

/**
 * Load handlebars and compile a small template now, so that the first template a run renders does
 * not pay for either: the run calls this while it waits on a host (lib/run/warm-while-waiting.ts).
 */
export function warmTemplates(): void {
  env ??= createTemplateEnvironment();
  env.compile("{{a}}{{#if b}}{{c.d}}{{/if}}", COMPILE_OPTIONS)({ a: 1, b: 1, c: { d: 1 } });
}

/** Whether a template file is Jinja2 (`.j2`, `.jinja`, `.jinja2`); every other file is handlebars. */
export function isJinjaTemplate(path: string): boolean {
  return /\.(?:j2|jinja2?)$/i.test(path);
}

/**
 * Read a template file and render it; errors name the file as given. A `.j2` file renders as
 * Ansible's template module would (see jinja-render.ts), with its `ansible_managed` and
 * `template_*` variables; any other file is handlebars.
 */
export async function renderTemplateFile(path: string, vars: Vars): Promise<string> {
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (error) {
    throw new ParamsError(`Cannot render template ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (isJinjaTemplate(path))
    return renderJinja(source, { ...ansibleTemplateVars(path), ...vars }, { name: path, searchPath: [dirname(path)] });
  return renderTemplate(source, vars, { name: path });
}
