import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ParamsError } from "../../lib/core/errors.js";
import { renderTemplate, renderTemplateFile } from "../../lib/template/render.js";

const name = "roles/nginx/templates/site.conf.hbs";
const site = "server {\n  listen {{port}};\n  server_name {{server_name}};\n}\n";

function renderError(source: string, vars: object): Error {
  try {
    renderTemplate(source, vars as Record<string, unknown>, { name });
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected renderTemplate() to throw");
}

describe("renderTemplate()", () => {
  test("renderTemplate() fills in variables", () => {
    expect(renderTemplate(site, { port: 80, server_name: "example.org" })).toBe("server {\n  listen 80;\n  server_name example.org;\n}\n");
  });

  test("a missing variable is a ParamsError naming the template, the variable and the line", () => {
    const error = renderError(site, { port: 80 });
    expect(error).toBeInstanceOf(ParamsError);
    expect(error.message).toBe(`Cannot render template ${name}: variable "server_name" is not defined (line 3)`);
  });

  test("a missing nested variable is named by its whole path", () => {
    const error = renderError("a\n{{ site.tls.cert }}\n", { site: {} });
    expect(error.message).toBe(`Cannot render template ${name}: variable "site.tls.cert" is not defined (line 2)`);
  });

  test("a missing variable inside #each is an error too", () => {
    const error = renderError("{{#each users}}{{nmae}}{{/each}}", { users: [{ name: "a" }] });
    expect(error.message).toBe(`Cannot render template ${name}: variable "nmae" is not defined (line 1)`);
  });

  test("a template without a name is called <template> in errors", () => {
    expect(() => renderTemplate("{{x}}", {})).toThrow('Cannot render template <template>: variable "x" is not defined (line 1)');
  });

  test.each<[string, string, object, string]>([
    ["#if", "{{#if tls}}tls{{else}}plain{{/if}}", {}, "plain"],
    ["#if on a missing parent", "{{#if site.tls}}tls{{else}}plain{{/if}}", {}, "plain"],
    ["#unless", "{{#unless tls}}plain{{/unless}}", {}, "plain"],
    ["#each", "[{{#each users}}{{this}}{{/each}}]", {}, "[]"],
    ["#with", "{{#with site}}{{name}}{{else}}none{{/with}}", {}, "none"],
  ])("%s on a missing variable is falsy", (_what, source, vars, expected) => {
    expect(renderTemplate(source, vars as Record<string, unknown>)).toBe(expected);
  });

  test("null and false values render as defined (empty and false)", () => {
    expect(renderTemplate("[{{a}}][{{b}}]", { a: null, b: false })).toBe("[][false]");
  });

  test.each([
    ["quotes", `it's "quoted"`],
    ["command substitution", "$(rm -rf /)"],
    ["backticks", "`id`"],
    ["newlines", "line1\nline2\n"],
    ["handlebars syntax", "{{server_name}} {{{x}}}"],
    ["HTML", "<a href='x'>&amp;</a>"],
    ["unicode", "näme ✓ 名前"],
  ])("values with %s are inserted literally", (_what, value) => {
    expect(renderTemplate("[{{v}}]", { v: value })).toBe(`[${value}]`);
  });

  test("a syntax error is a ParamsError naming the template and the line", () => {
    const error = renderError("ok\n{{x y=}}\n", {});
    expect(error).toBeInstanceOf(ParamsError);
    expect(error.message).toMatch(new RegExp(`^Cannot render template ${name}: syntax error on line 2:`));
  });

  test("an unknown helper is a ParamsError", () => {
    expect(renderError("{{frobnicate x}}", { x: 1 }).message).toBe(
      `Cannot render template ${name}: helper "frobnicate" is not defined (line 1)`,
    );
  });
});

describe("renderTemplateFile()", () => {
  test("renderTemplateFile() renders a file and names it in errors", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bosun-template-"));
    const path = join(dir, "site.conf.hbs");
    await writeFile(path, site);
    await expect(renderTemplateFile(path, { port: 443, server_name: "a.example" })).resolves.toContain("listen 443;");
    await expect(renderTemplateFile(path, { port: 443 })).rejects.toThrow(
      `Cannot render template ${path}: variable "server_name" is not defined (line 3)`,
    );
  });

  test("renderTemplateFile() says when the file cannot be read", async () => {
    await expect(renderTemplateFile("/nonexistent/x.hbs", {})).rejects.toThrow("Cannot render template /nonexistent/x.hbs: ENOENT");
  });
});
