/** The pre-bundled dependencies that `npm run build` writes to lib/generated/vendor/ are those installed today. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as typeboxPackage from "@sinclair/typebox";
import * as yamlPackage from "yaml";
import * as typebox from "../../lib/generated/vendor/typebox.js";
import * as yaml from "../../lib/generated/vendor/yaml.js";
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
