/** The precompiled validators in lib/generated/ match the schemas in the code (`npm run gen:validators`). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { schemaKey } from "../../lib/core/schema-key.js";
import * as params from "../../lib/generated/task-params-validators.js";
import { generatedValidators, taskSchemas } from "../../scripts/validators.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

test("lib/generated is what `npm run gen:validators` writes today", async () => {
  for (const [file, content] of Object.entries(await generatedValidators())) {
    const current = readFileSync(path.join(root, file), "utf8");
    if (current !== content) throw new Error(`${file} is out of date: run \`npm run gen:validators\``);
  }
});

test("every exported task's params schema has a precompiled validator", async () => {
  const keys = new Set((params as { keys: string[] }).keys);
  const schemas = await taskSchemas();
  expect(schemas.length).toBeGreaterThan(40);
  for (const schema of schemas) expect(keys.has(schemaKey(schema))).toBe(true);
});
