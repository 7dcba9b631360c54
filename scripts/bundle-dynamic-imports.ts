/**
 * The bundle's dynamic `import()`s, routed through one tiny module. tsx rewrites every dynamic import
 * of a JavaScript file it loads (it appends a CommonJS interop) and builds a source map of the whole
 * file to do so: for the 500 KB bundle that cost about 100 ms of every `tsx playbook.ts` start, for
 * three `import()` calls. The bundle's files call `dynamicImport()` of dynamic-import.js instead, the
 * one file with an `import()` left, which tsx rewrites in no time (so the interop is the same). Under
 * plain node nothing changes: a relative specifier is made absolute against the calling file first.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { init, parse } from "es-module-lexer";

/** The helper module's file name, in the bundle's root directory. */
export const DYNAMIC_IMPORT_MODULE = "dynamic-import.js";

/** The helper's whole text. */
export const DYNAMIC_IMPORT_SOURCE =
  "/** The bundle's one dynamic import (see scripts/bundle-dynamic-imports.ts). */\nexport const dynamicImport = (specifier) => import(specifier);\n";

const LOCAL_NAME = "__bosunDynamicImport";

/**
 * `code` with each dynamic `import(x)` turned into a call of the helper at `helperSpecifier`
 * (relative to the file); unchanged when it has none. Strings and comments that spell `import(` are left.
 */
export async function routeDynamicImports(code: string, helperSpecifier: string): Promise<string> {
  await init;
  const [imports] = parse(code);
  const dynamic = imports.filter((i) => i.d > -1).sort((a, b) => b.ss - a.ss);
  if (dynamic.length === 0) return code;
  let out = code;
  for (const i of dynamic) {
    const relative = i.n !== undefined && /^\.\.?\//.test(i.n);
    const specifier = relative ? `new URL(${JSON.stringify(i.n)}, import.meta.url).href` : out.slice(i.s, i.e);
    out = `${out.slice(0, i.ss)}${LOCAL_NAME}(${specifier}${out.slice(i.e)}`;
  }
  const helperImport = `import { dynamicImport as ${LOCAL_NAME} } from ${JSON.stringify(helperSpecifier)};\n`;
  // A bin's `#!` line must stay the first line.
  const shebang = /^#!.*\n/.exec(out)?.[0] ?? "";
  return `${shebang}${helperImport}${out.slice(shebang.length)}`;
}

/** Route the dynamic imports of every .js file under `outdir` and write the helper; returns how many files changed. */
export async function routeBundleDynamicImports(outdir: string): Promise<number> {
  let changed = 0;
  const files = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  for (const file of files) {
    const full = path.join(outdir, file);
    const helper = path.posix.relative(path.posix.dirname(file.split(path.sep).join("/")), DYNAMIC_IMPORT_MODULE);
    const before = readFileSync(full, "utf8");
    const after = await routeDynamicImports(before, helper.startsWith(".") ? helper : `./${helper}`);
    if (after !== before) {
      writeFileSync(full, after);
      changed++;
    }
  }
  writeFileSync(path.join(outdir, DYNAMIC_IMPORT_MODULE), DYNAMIC_IMPORT_SOURCE);
  return changed;
}
