import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UnsetEnv } from "../../lib/core/unset-env.js";
import { renderJinja } from "../../lib/template/jinja-render.js";
import { isJinjaTemplate, renderTemplateFile } from "../../lib/template/render.js";

const name = "roles/nginx/templates/site.conf.j2";
const render = (source: string, vars: Record<string, unknown> = {}): string => renderJinja(source, vars, { name });
const failure = (source: string, vars: Record<string, unknown> = {}): string => {
  try {
    render(source, vars);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the render to fail");
};

describe("renderJinja() strict mode", () => {
  test.each([
    ["output", "a\n{{ server_name }}\n", "server_name", 2],
    ["a nested key", "{{ site.port }}", "site.port", 1],
    ["a filter's input", "x\ny\n{{ name | upper }}", "name", 3],
    ["a condition", "{% if tls %}on{% endif %}", "tls", 1],
    ["a loop", "\n{% for u in upstreams %}{{ u }}{% endfor %}", "upstreams", 2],
    ["arithmetic", "{{ workers * 2 }}", "workers", 1],
    ["a method's object", "{{ host.split('.')[0] }}", "host", 1],
    ["a filter argument", "{{ names | join(sep) }}", "sep", 1],
  ])("an undefined variable in %s names the template, the variable and the line", (_what, source, variable, line) => {
    expect(failure(source, { names: ["a"], site: {} })).toBe(
      `Cannot render template ${name}: variable "${variable}" is not defined (line ${line})`,
    );
  });

  test("tests, default and loop variables accept what is not defined", () => {
    const source = "{% if x is defined %}x{% endif %}{% if y is not defined %}no-y{% endif %} {{ z | default('dz') }} {{ w | d(3) }}";
    expect(render(source)).toBe("no-y dz 3");
    expect(render("{% for k, v in m.items() %}{{ k }}={{ v }};{% endfor %}{% set a = 1 %}{{ a }}", { m: { p: 1 } })).toBe("p=1;1");
  });

  test("a value that cannot be printed (an unset !env) fails with its own message at its line", () => {
    const token = new UnsetEnv("BOSUN_TEST_UNSET_TOKEN", "inventory/x.yml:3:10");
    expect(failure("a\ntoken={{ token }}\n", { token })).toBe(
      `Cannot render template ${name}: Cannot use an inventory value: environment variable "BOSUN_TEST_UNSET_TOKEN" is not set (!env at inventory/x.yml:3:10) (line 2)`,
    );
  });

  test("mandatory names the variable, or says the given message", () => {
    expect(failure("{{ token | mandatory }}")).toBe(`Cannot render template ${name}: variable "token" is not defined (line 1)`);
    expect(failure("{{ token | mandatory('set token in group_vars') }}")).toBe(
      `Cannot render template ${name}: set token in group_vars (line 1)`,
    );
    expect(render("{{ token | mandatory }}", { token: "t" })).toBe("t");
  });

  test("a syntax error names the template and the line", () => {
    expect(failure("ok\n{{ a | }}")).toMatch(new RegExp(`^Cannot render template ${name}: syntax error on line 2: `));
    expect(failure("{% if a %}\n")).toMatch(/^Cannot render template .*: syntax error: .*endif/);
  });
});

describe("renderJinja() output as Ansible writes it", () => {
  test("a block tag's newline is dropped (trim_blocks) but its indentation stays (no lstrip_blocks)", () => {
    expect(render("{% for i in l %}\n  - {{ i }}\n{% endfor %}\n  {% if true %}\nx\n  {% endif %}\n", { l: [1, 2] })).toBe(
      "  - 1\n  - 2\n  x\n  \n", // as Ansible 2.14 writes it
    );
  });

  test("the file ends with as many newlines as the template, whatever the last value ends with", () => {
    expect(render("{{ v }}\n", { v: "x\n" })).toBe("x\n");
    expect(render("{{ v }}\n\n", { v: "x" })).toBe("x\n\n");
    expect(render("{{ v }}", { v: "x" })).toBe("x");
  });

  test("values print as Python's str(), None as an empty string", () => {
    expect(render("{{ t }} {{ f }} {{ n }}|{{ l }} {{ d }}", { t: true, f: false, n: null, l: ["a", "b'c", null], d: { k: 1 } })).toBe(
      `True False |['a', "b'c", None] {'k': 1}`,
    );
  });

  test("string literals follow Python's escapes, so regexes need no doubled backslashes", () => {
    expect(render("{{ 'web01' | regex_replace('\\d+$', '') }}|{{ 'a\\tb' }}")).toBe("web|a\tb");
  });
});

describe("Ansible's filters", () => {
  test.each<[string, Record<string, unknown>, string]>([
    ["{{ 'MiXed' | upper }} {{ 'MiXed' | lower }}", {}, "MIXED mixed"],
    ["{{ l | join(', ') }}|{{ l | join }}", { l: ["a", 1, true] }, "a, 1, True|a1True"],
    ["{{ d | to_json }}", { d: { b: [1, 2], a: "é" } }, '{"b": [1, 2], "a": "\\u00e9"}'],
    ["{{ d | to_nice_json }}", { d: { b: [1], a: {} } }, '{\n    "a": {},\n    "b": [\n        1\n    ]\n}'],
    ["{{ d | to_yaml }}", { d: { b: [1, 2], a: "x" } }, "a: x\nb: [1, 2]\n"],
    ["{{ 'db-1_x' | regex_replace('^(?P<n>[a-z]+)-(\\d)', '\\g<n>:\\\\2') }}", {}, "db:1_x"],
    ["{{ 'secret' | b64encode }} {{ 'c2VjcmV0' | b64decode }}", {}, "c2VjcmV0 secret"],
    ["{{ 'yes' | bool }} {{ 'off' | bool }} {{ '1' | bool }}", {}, "True False True"],
    ["{{ '42' | int + 1 }} {{ '4.7' | int }} {{ 'x' | int }} {{ 'x' | int(9) }}", {}, "43 4 0 9"],
    ["{{ \"it's\" | quote }} {{ 'plain' | quote }} {{ '' | quote }}", {}, `'it'"'"'s' plain ''`],
    ["{{ '' | default('x', true) }}|{{ '' | default('x') }}", {}, "x|"],
    ["{{ t | indent(2) }}", { t: "a\n\nb\n" }, "a\n\n  b\n"],
  ])("%s", (source, vars, expected) => {
    expect(render(source, vars)).toBe(expected);
  });
});

describe("renderTemplateFile() picks the engine by extension", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bosun-tpl-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test(".j2 renders as Jinja and .hbs as handlebars, as before", async () => {
    await writeFile(join(dir, "a.conf.j2"), "{% if on %}port {{ port | int }}{% endif %}\n");
    await writeFile(join(dir, "a.conf.hbs"), "{{#if on}}port {{port}}{{/if}}\n");
    expect(await renderTemplateFile(join(dir, "a.conf.j2"), { on: true, port: "80" })).toBe("port 80\n");
    expect(await renderTemplateFile(join(dir, "a.conf.hbs"), { on: true, port: "80" })).toBe("port 80\n");
    expect([isJinjaTemplate("x.j2"), isJinjaTemplate("x.jinja2"), isJinjaTemplate("x.hbs"), isJinjaTemplate("x.conf")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  test("include, import and extends find templates beside the file; a missing variable names the included file", async () => {
    await writeFile(join(dir, "base.j2"), "[{% block body %}base{% endblock %}]\n");
    await writeFile(join(dir, "child.j2"), "{% extends 'base.j2' %}{% block body %}{% include 'part.j2' %}{% endblock %}\n");
    await writeFile(join(dir, "part.j2"), "part {{ who }}\n");
    expect(await renderTemplateFile(join(dir, "child.j2"), { who: "x" })).toBe("[part x]\n");
    await expect(renderTemplateFile(join(dir, "child.j2"), {})).rejects.toThrow(
      `Cannot render template ${join(dir, "child.j2")}: variable "who" is not defined (line 1) in ${join(dir, "part.j2")}`,
    );
  });

  test("a .j2 file gets Ansible's template variables, and the user's variables win", async () => {
    await writeFile(join(dir, "m.j2"), "# {{ ansible_managed }} ({{ template_path }})\n");
    expect(await renderTemplateFile(join(dir, "m.j2"), {})).toBe(`# Ansible managed (${join(dir, "m.j2")})\n`);
    expect(await renderTemplateFile(join(dir, "m.j2"), { ansible_managed: "Managed by bosun" })).toBe(
      `# Managed by bosun (${join(dir, "m.j2")})\n`,
    );
  });

  test("an undefined variable in a .j2 file names the file", async () => {
    await writeFile(join(dir, "b.j2"), "line one\n{{ nope }}\n");
    await expect(renderTemplateFile(join(dir, "b.j2"), {})).rejects.toThrow(
      `Cannot render template ${join(dir, "b.j2")}: variable "nope" is not defined (line 2)`,
    );
  });
});
