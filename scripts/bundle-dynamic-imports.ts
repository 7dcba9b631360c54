/**
 * The package bundle's dynamic `import()`s routed through one tiny module, after esbuild wrote it
 * (why: lib/cli/dynamic-imports.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DYNAMIC_IMPORT_MODULE, DYNAMIC_IMPORT_SOURCE, helperSpecifierFrom, routeDynamicImports } from "../lib/cli/dynamic-imports.js";

/** Route the dynamic imports of every .js file under `outdir` and write the helper; returns how many files changed. */
export async function routeBundleDynamicImports(outdir: string): Promise<number> {
  let changed = 0;
  const files = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  for (const file of files) {
    const full = path.join(outdir, file);
    const before = readFileSync(full, "utf8");
    const after = await routeDynamicImports(before, helperSpecifierFrom(file));
    if (after !== before) {
      writeFileSync(full, after);
      changed++;
    }
  }
  writeFileSync(path.join(outdir, DYNAMIC_IMPORT_MODULE), DYNAMIC_IMPORT_SOURCE);
  return changed;
}
