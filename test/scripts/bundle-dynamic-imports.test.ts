import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DYNAMIC_IMPORT_MODULE, routeBundleDynamicImports, routeDynamicImports } from "../../scripts/bundle-dynamic-imports.js";

describe("routeDynamicImports", () => {
  test("a relative import() calls the helper with the specifier made absolute against the file", async () => {
    const out = await routeDynamicImports('const m = await import("./lazy-A.js");\n', "./dynamic-import.js");
    expect(out).toBe(
      'import { dynamicImport as __bosunDynamicImport } from "./dynamic-import.js";\nconst m = await __bosunDynamicImport(new URL("./lazy-A.js", import.meta.url).href);\n',
    );
  });

  test("bare and computed specifiers are passed through; strings and comments that spell import( are left", async () => {
    const code = 'const a = import("zx"); const b = import(name); const s = "import(x)"; // import(y)\n';
    const out = await routeDynamicImports(code, "../dynamic-import.js");
    expect(out).toContain('__bosunDynamicImport("zx")');
    expect(out).toContain("__bosunDynamicImport(name)");
    expect(out).toContain('"import(x)"');
    expect(out).toContain("// import(y)");
    expect(out.startsWith('import { dynamicImport as __bosunDynamicImport } from "../dynamic-import.js";\n')).toBe(true);
  });

  test("a bin's #! line stays the first line", async () => {
    const out = await routeDynamicImports('#!/usr/bin/env node\nawait import("./a.js");\n', "./dynamic-import.js");
    expect(out.split("\n").slice(0, 2)).toEqual([
      "#!/usr/bin/env node",
      'import { dynamicImport as __bosunDynamicImport } from "./dynamic-import.js";',
    ]);
  });

  test("a file without import() is returned unchanged", async () => {
    const code = 'import { x } from "./y.js";\nexport const z = x;\n';
    expect(await routeDynamicImports(code, "./dynamic-import.js")).toBe(code);
  });
});

describe("routeBundleDynamicImports", () => {
  test("files in sub-directories load chunks of the root, and the helper is written once", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-dyn-"));
    mkdirSync(path.join(dir, "cli"));
    writeFileSync(path.join(dir, "lazy-A.js"), "export const value = 42;\n");
    writeFileSync(path.join(dir, "cli", "bin.js"), 'export const load = async () => (await import("../lazy-A.js")).value;\n');
    writeFileSync(path.join(dir, "index.js"), "export const plain = 1;\n");
    expect(await routeBundleDynamicImports(dir)).toBe(1);
    expect(readFileSync(path.join(dir, "cli", "bin.js"), "utf8")).toContain('from "../dynamic-import.js"');
    expect(readFileSync(path.join(dir, DYNAMIC_IMPORT_MODULE), "utf8")).toContain("import(specifier)");
    const bin = (await import(pathToFileURL(path.join(dir, "cli", "bin.js")).href)) as { load: () => Promise<number> };
    expect(await bin.load()).toBe(42);
  });
});
