import { renderTemplate } from "../../lib/template/render.js";

const render = (source: string, vars: Record<string, unknown> = {}) => renderTemplate(source, vars, { name: "t.hbs" });

describe("template helpers", () => {
  test.each<[string, Record<string, unknown>, string]>([
    ["{{default port 8080}}", {}, "8080"],
    ["{{default port 8080}}", { port: 81 }, "81"],
    ["{{default port 8080}}", { port: null }, "8080"],
    ["{{default site.port 8080}}", {}, "8080"],
    ['{{join servers ", "}}', { servers: ["a", "b", "c"] }, "a, b, c"],
    ["{{join servers}}", { servers: ["a", "b"] }, "ab"],
    ['{{#if (eq env "prod")}}P{{else}}D{{/if}}', { env: "prod" }, "P"],
    ['{{#if (eq env "prod")}}P{{else}}D{{/if}}', {}, "D"],
    ['{{#if (ne env "prod")}}D{{/if}}', { env: "dev" }, "D"],
    ["{{#if (not debug)}}quiet{{/if}}", { debug: false }, "quiet"],
    ["{{#if (and a b)}}both{{else}}no{{/if}}", { a: 1, b: 0 }, "no"],
    ["{{#if (or a b)}}one{{/if}}", { a: 0, b: "x" }, "one"],
    ["{{json settings}}", { settings: { a: [1, "two"] } }, '{"a":[1,"two"]}'],
    ["{{json settings 2}}", { settings: { a: 1 } }, '{\n  "a": 1\n}'],
    ["x:\n  {{indent body 2}}", { body: "a: 1\n\nb: 2" }, "x:\n  a: 1\n\n  b: 2"],
    ["{{indent body 2 first=true}}", { body: "a\nb" }, "  a\n  b"],
    ["{{lower name}}-{{upper name}}", { name: "Web1" }, "web1-WEB1"],
  ])("%j with %j renders %j", (source, vars, expected) => {
    expect(render(source, vars)).toBe(expected);
  });

  test.each([
    ["{{join servers}}", "servers"],
    ["x\n{{upper site.name}}", "site.name"],
    ["{{json settings}}", "settings"],
    ["{{indent body 4}}", "body"],
    ["{{lower name}}", "name"],
  ])("%j with the variable missing is an error naming %s", (source, variable) => {
    const line = source.startsWith("x\n") ? 2 : 1;
    expect(() => render(source)).toThrow(`Cannot render template t.hbs: variable "${variable}" is not defined (line ${line})`);
  });

  test("join on something that is not a list says so", () => {
    expect(() => render("{{join servers}}", { servers: "a,b" })).toThrow(
      'Cannot render template t.hbs: helper "join" needs a list, got string (line 1)',
    );
  });
});

describe("randomSecret", () => {
  test("{{randomSecret}} renders 32 URL-safe random characters, new at each render; a length can be given", () => {
    const a = render("{{randomSecret}}");
    const b = render("{{randomSecret}}");
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
    expect(render("{{randomSecret 48}}")).toMatch(/^[A-Za-z0-9_-]{48}$/);
  });

  test("as a fallback, a given value wins: {{default db_password (randomSecret)}}", () => {
    expect(render("{{default db_password (randomSecret)}}", { db_password: "given" })).toBe("given");
    expect(render("{{default db_password (randomSecret)}}")).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test("refuses a length that would make a weak secret", () => {
    expect(() => render("{{randomSecret 8}}")).toThrow(/randomSecret.*16 to 256/);
  });
});
