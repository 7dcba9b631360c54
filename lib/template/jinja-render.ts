/**
 * Render Jinja2 templates (`.j2`) as Ansible's `template` module does (see jinja-engine.ts for the
 * environment): Jinja drops one trailing newline of the template, then Ansible adds back as many
 * as the template had beyond the output's, so the file ends as the template does.
 */
import type Nunjucks from "nunjucks";
import { ParamsError } from "../core/errors.js";
import type { Vars } from "../core/vars.js";
import { compileTemplate, countTrailingNewlines, prepareSource, takeRenderError, useSearchPath } from "./jinja-engine.js";
import { HelperError, MissingVariableError } from "./template-error.js";

/** Options of {@link renderJinja}. */
export interface RenderJinjaOptions {
  /** How the template is named in errors (`roles/nginx/templates/vhost.j2`). */
  readonly name?: string;
  /** Directories where `{% include %}`, `{% import %}` and `{% extends %}` find templates (the template's own directory for files). */
  readonly searchPath?: readonly string[];
}

interface NunjucksError {
  readonly message: string;
  readonly lineno?: number;
}

function explain(error: unknown, name: string): string {
  const cause = takeRenderError();
  const inner = (cause as { template?: string } | undefined)?.template;
  if (cause instanceof MissingVariableError && inner && inner !== name) return `${cause.message} in ${inner}`;
  if (cause instanceof MissingVariableError || cause instanceof HelperError) return cause.message;
  const e = error as NunjucksError;
  // A value that cannot be printed (an unset !env) or a filter's own error: its message, at the line nunjucks knows.
  const at = (cause as { line?: number } | undefined)?.line;
  if (cause) return at ? `${cause.message} (line ${at})` : cause.message;
  const text = (e.message ?? String(error)).replace(/^\([^)]*\)(?: \[Line \d+(?:, Column \d+)?\])?\n\s*/, "");
  if (typeof e.lineno === "number") return `syntax error on line ${e.lineno}: ${text}`;
  if ("lineno" in (e as object)) return `syntax error: ${text}`;
  const line = /\[Line (\d+)/.exec(e.message ?? "")?.[1];
  return line ? `${text} (line ${line})` : text;
}

// One compile per template text and name, not per host: a 50-host run renders the same template 50 times.
const compiled = new Map<string, Nunjucks.Template>();

/**
 * Render a Jinja2 template with `vars` as Ansible's template module would; a variable that is not
 * defined is a ParamsError naming the template, the variable and the line.
 * @example renderJinja("server_name {{ server_name | lower }};\n", { server_name: "Example.org" }, { name: "site.conf.j2" })
 */
export function renderJinja(source: string, vars: Vars, options: RenderJinjaOptions = {}): string {
  const name = options.name ?? "<template>";
  const { body, trailingNewlines } = prepareSource(source);
  takeRenderError();
  useSearchPath(options.searchPath ?? []);
  let output: string;
  try {
    const key = `${name}\0${body}`;
    let template = compiled.get(key);
    if (!template) {
      template = compileTemplate(body, name);
      compiled.set(key, template);
    }
    output = template.render({ ...vars });
  } catch (error) {
    throw new ParamsError(`Cannot render template ${name}: ${explain(error, name)}`);
  } finally {
    useSearchPath([]);
  }
  const missing = trailingNewlines - countTrailingNewlines(output);
  return missing > 0 ? output + "\n".repeat(missing) : output;
}
