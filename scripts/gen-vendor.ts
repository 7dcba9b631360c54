/**
 * `npm run gen:vendor` (the first step of `npm run build`, so before tsc reads the .d.ts files):
 * write the pre-bundled TypeBox, yaml and handlebars (vendor.ts) for lib/ (tsx, jest) and for dist/ (the package).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { vendorFiles, vendorPath } from "./vendor.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
for (const [file, content] of Object.entries(await vendorFiles())) {
  for (const base of [root, path.join(root, "dist")]) {
    const target = path.join(base, vendorPath(file));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
console.log(`${vendorPath("")} written (and dist/${vendorPath("")})`);
