import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DYNAMIC_IMPORT_MODULE } from "../../lib/cli/dynamic-imports.js";
import { routeBundleDynamicImports } from "../../scripts/bundle-dynamic-imports.js";

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
