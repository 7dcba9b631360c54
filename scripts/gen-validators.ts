/** `npm run gen:validators`: regenerate the precompiled ajv validators in lib/generated/. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatedValidators } from "./validators.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const [file, content] of Object.entries(await generatedValidators())) {
  writeFileSync(path.join(root, file), content);
  console.log(`${file} written`);
}
