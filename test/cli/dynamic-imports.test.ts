import { helperSpecifierFrom, routeDynamicImports } from "../../lib/cli/dynamic-imports.js";

describe("routeDynamicImports", () => {
  test("a relative import() calls the helper with the specifier made absolute against the file", async () => {
    const out = await routeDynamicImports('const m = await import("./lazy-A.js");\n', "./dynamic-import.js");
    expect(out).toBe(
      'import { dynamicImport as __bosunDynamicImport } from "./dynamic-import.js"; const m = await __bosunDynamicImport(new URL("./lazy-A.js", import.meta.url).href);\n',
    );
  });

  test("bare and computed specifiers are passed through; strings and comments that spell import( are left", async () => {
    const code = 'const a = import("zx"); const b = import(name); const s = "import(x)"; // import(y)\n';
    const out = await routeDynamicImports(code, "../dynamic-import.js");
    expect(out).toContain('__bosunDynamicImport("zx")');
    expect(out).toContain("__bosunDynamicImport(name)");
    expect(out).toContain('"import(x)"');
    expect(out).toContain("// import(y)");
    expect(out.startsWith('import { dynamicImport as __bosunDynamicImport } from "../dynamic-import.js"; ')).toBe(true);
  });

  test("a bin's #! line stays the first line", async () => {
    const out = await routeDynamicImports('#!/usr/bin/env node\nawait import("./a.js");\n', "./dynamic-import.js");
    expect(out.split("\n").slice(0, 2)).toEqual([
      "#!/usr/bin/env node",
      'import { dynamicImport as __bosunDynamicImport } from "./dynamic-import.js"; await __bosunDynamicImport(new URL("./a.js", import.meta.url).href);',
    ]);
  });

  test("a file without import() is returned unchanged", async () => {
    const code = 'import { x } from "./y.js";\nexport const z = x;\n';
    expect(await routeDynamicImports(code, "./dynamic-import.js")).toBe(code);
  });
});

test("no line is added: a source map of the file keeps its line numbers", async () => {
  const code = 'export const a = 1;\nexport const b = () => import("./lazy.js");\n';
  expect((await routeDynamicImports(code, "./dynamic-import.js")).split("\n").length).toBe(code.split("\n").length);
});

test("helperSpecifierFrom() points at the output root from any depth", () => {
  expect(helperSpecifierFrom("index.js")).toBe("./dynamic-import.js");
  expect(helperSpecifierFrom("cli/bin.js")).toBe("../dynamic-import.js");
  expect(helperSpecifierFrom("connection/keeper/keeper-main.js")).toBe("../../dynamic-import.js");
});
