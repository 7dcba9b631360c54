/** The pre-bundled dependencies that `npm run build` writes to lib/generated/vendor/ are those installed today. */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type HandlebarsModule from "handlebars";
import * as typeboxPackage from "@sinclair/typebox";
import * as yamlPackage from "yaml";
import * as typebox from "../../lib/generated/vendor/typebox.js";
import * as yaml from "../../lib/generated/vendor/yaml.js";
import { COMPILE_OPTIONS, createTemplateEnvironment, VENDORED_HANDLEBARS } from "../../lib/template/environment.js";
import { loadOwnCjs } from "../../lib/core/own-cjs.js";
import { vendorFiles, vendorPath } from "../../scripts/vendor.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

test("lib/generated/vendor is what `npm run build` writes today", async () => {
  for (const [file, content] of Object.entries(await vendorFiles())) {
    const current = (() => {
      try {
        return readFileSync(path.join(root, vendorPath(file)), "utf8");
      } catch {
        return "(missing)";
      }
    })();
    if (current !== content) throw new Error(`${vendorPath(file)} is missing or out of date: run \`npm run build\``);
  }
});

test("each vendored file exports every name of its package", () => {
  // Jest's CommonJS interop adds "default" and "module.exports": not names a module can export.
  const names = (m: object) =>
    Object.keys(m)
      .filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n))
      .sort();
  expect(names(typebox)).toEqual(names(typeboxPackage));
  expect(names(yaml)).toEqual(names(yamlPackage));
});

test("values from the vendored yaml and the package are recognised by each other (yaml marks nodes with global symbols)", () => {
  expect(yaml.isMap(yamlPackage.parseDocument("a: 1").contents)).toBe(true);
  expect(yamlPackage.isMap(yaml.parseDocument("a: 1").contents)).toBe(true);
});

/** Node's own require (not jest's registry): the one lib/template loads handlebars with. */
const nodeRequire = createRequire(import.meta.url);

test("the vendored handlebars is the package's: the same names and version, its own instance", () => {
  const vendored = nodeRequire(path.join(root, vendorPath("handlebars.cjs"))) as typeof HandlebarsModule;
  const pkg = nodeRequire("handlebars") as typeof HandlebarsModule;
  expect(Object.keys(vendored).sort()).toEqual(Object.keys(pkg).sort());
  expect(vendored.VERSION).toBe(pkg.VERSION);
  expect(vendored).not.toBe(pkg);
  expect(vendored.compile("{{a}}-{{#each b}}{{this}}{{/each}}", COMPILE_OPTIONS)({ a: "x", b: [1, 2] })).toBe("x-12");
});

test("lib/template loads handlebars from the vendored file, from the sources and from the package's bundle alike", () => {
  const env = createTemplateEnvironment();
  expect(env.compile("{{#if site.tls}}tls{{else}}plain{{/if}} {{port}}", COMPILE_OPTIONS)({ port: 80 })).toBe("plain 80");
  // The environment's compiler extends the JavaScriptCompiler of the module it came from.
  const compilerBase = (h: object) => (h as { JavaScriptCompiler: unknown }).JavaScriptCompiler;
  const vendored = path.join(root, vendorPath("handlebars.cjs"));
  expect(Object.getPrototypeOf(compilerBase(env))).toBe(compilerBase(loadOwnCjs(vendored) as object)); // loaded once, as bosun loads it
  expect(Object.getPrototypeOf(compilerBase(env))).not.toBe(compilerBase(nodeRequire("handlebars") as object));
  expect(path.resolve(root, "lib", "template", VENDORED_HANDLEBARS)).toBe(vendored);
  // bosun's helpers live in its own environment, not on the vendored module's global instance.
  expect((loadOwnCjs(vendored) as typeof HandlebarsModule).helpers.default).toBeUndefined();
  expect(env.helpers.default).toBeDefined();
  // The bundle (scripts/build-bundle.ts) puts lib/template's code in dist/lib/bundle/; gen-vendor writes dist/lib/generated/vendor/.
  expect(path.resolve(root, "dist", "lib", "bundle", VENDORED_HANDLEBARS)).toBe(path.join(root, "dist", vendorPath("handlebars.cjs")));
});
