/** The precompiled validators that `npm run build` writes to lib/generated/ match the schemas in the code. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { precompiledValidators } from "../../lib/core/precompiled.js";
import { schemaKey } from "../../lib/core/schema-key.js";
import { generatedPath, generatedValidators, taskSchemas } from "../../scripts/validators.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

test("lib/generated is what `npm run build` writes today", async () => {
  for (const [name, content] of Object.entries(await generatedValidators())) {
    const file = path.join(root, generatedPath(name));
    const current = (() => {
      try {
        return readFileSync(file, "utf8");
      } catch {
        return "(missing)";
      }
    })();
    if (current !== content) throw new Error(`${generatedPath(name)} is missing or out of date: run \`npm run build\``);
  }
});

test("every exported task's params schema has a precompiled validator", async () => {
  const validators = precompiledValidators("task-params");
  const schemas = await taskSchemas();
  expect(schemas.length).toBeGreaterThan(40);
  for (const schema of schemas) expect(typeof validators[schemaKey(schema)]).toBe("function");
});
