/**
 * Compiled JavaScript's dynamic `import()`s, routed through one tiny module. tsx rewrites every
 * dynamic import of a JavaScript file it loads (it appends a CommonJS interop) and builds a source
 * map of the whole file to do so: for the 500 KB package bundle that cost about 100 ms of every
 * `tsx playbook.ts` start, for three `import()` calls, and for a compiled playbook (lib/cli/playbook-file.ts)
 * about 250 ms. The files call `dynamicImport()` of dynamic-import.js instead, the one file with an
 * `import()` left, which tsx rewrites in no time (so the interop is the same). Under plain node
 * nothing changes: a relative specifier is made absolute against the calling file first.
 */
import path from "node:path";
import { init, parse } from "es-module-lexer";

/** The helper module's file name, in the compiled output's root directory. */
export const DYNAMIC_IMPORT_MODULE = "dynamic-import.js";

/** The helper's whole text. */
export const DYNAMIC_IMPORT_SOURCE =
  "/** The one dynamic import of bosun's compiled JavaScript (see lib/cli/dynamic-imports.ts). */\nexport const dynamicImport = (specifier) => import(specifier);\n";

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
  // On the first line's own line, not a new one: a source map of the file keeps its line numbers.
  const helperImport = `import { dynamicImport as ${LOCAL_NAME} } from ${JSON.stringify(helperSpecifier)}; `;
  // A bin's `#!` line must stay the first line.
  const shebang = /^#!.*\n/.exec(out)?.[0] ?? "";
  return `${shebang}${helperImport}${out.slice(shebang.length)}`;
}

/** The specifier of the helper (in the output's root) from a file at `relativeFile` (posix or native separators) under it. */
export function helperSpecifierFrom(relativeFile: string): string {
  const helper = path.posix.relative(path.posix.dirname(relativeFile.split(path.sep).join("/")), DYNAMIC_IMPORT_MODULE);
  return helper.startsWith(".") ? helper : `./${helper}`;
}
