/**
 * `npm run gen:validators` (part of `npm run build`): write the precompiled ajv validators for lib/
 * (tsx, jest) and, when it exists, for dist/ (the package).
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generatedPath, generatedValidators } from "./validators.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const roots = [root, ...(existsSync(path.join(root, "dist", "lib")) ? [path.join(root, "dist")] : [])];
for (const [name, content] of Object.entries(await generatedValidators())) {
  for (const base of roots) {
    const file = path.join(base, generatedPath(name));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`${path.relative(root, file)} written`);
  }
}
