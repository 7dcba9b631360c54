import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { cachedPlaybook } from "../../lib/cli/compile-cache.js";
import { compilePlaybook, withOwnImportMeta } from "../../lib/cli/playbook-file.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-compile-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("withOwnImportMeta() gives each module its own file URL, for import.meta.url and a bare import.meta", () => {
  const out = withOwnImportMeta("const a = import.meta.url; main(import.meta, book);", "/srv/p/deploy.ts");
  expect(out).toBe('const a = "file:///srv/p/deploy.ts"; main(({ url: "file:///srv/p/deploy.ts" }), book);');
});

test("a compiled playbook is reused while its inputs are unchanged and compiled again when one changes", async () => {
  const entry = path.join(dir, "book.ts");
  const helper = path.join(dir, "helper.ts");
  writeFileSync(helper, "export const where: string = import.meta.url;\n");
  writeFileSync(entry, 'import { where } from "./helper.ts";\nexport const result = { where, self: import.meta.url };\n');
  const cache = path.join(dir, "cache");
  expect(cachedPlaybook(entry, cache)).toBeUndefined();
  const compiled = await compilePlaybook(entry, cache);
  expect(cachedPlaybook(entry, cache)).toBe(compiled);
  const loaded = (await import(pathToFileURL(compiled).href)) as { result: { where: string; self: string } };
  expect(loaded.result).toEqual({ where: pathToFileURL(helper).href, self: pathToFileURL(entry).href });
  writeFileSync(helper, "export const where: string = 'changed';\n");
  expect(cachedPlaybook(entry, cache)).toBeUndefined();
  const again = await compilePlaybook(entry, cache);
  expect(cachedPlaybook(entry, cache)).toBe(again);
});

test("several processes compiling the same playbook at once all get a whole compilation", async () => {
  const entry = path.join(dir, "book.ts");
  writeFileSync(entry, 'export const lazy = () => import("./lazy.ts");\n');
  writeFileSync(path.join(dir, "lazy.ts"), "export const value = 42;\n");
  const cache = path.join(dir, "cache");
  const entries = await Promise.all([1, 2, 3, 4].map(() => compilePlaybook(entry, cache)));
  expect(new Set(entries).size).toBe(1);
  expect(readdirSync(cache).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  const loaded = (await import(pathToFileURL(entries[0] as string).href)) as { lazy: () => Promise<{ value: number }> };
  expect((await loaded.lazy()).value).toBe(42);
});

test("a compiled playbook's dynamic imports go through one helper (tsx would rewrite a whole file for each), and keep their line numbers", async () => {
  const entry = path.join(dir, "book.ts");
  writeFileSync(entry, 'export const lazy = () => import("./lazy.ts");\nexport const line = () => new Error().stack;\n');
  writeFileSync(path.join(dir, "lazy.ts"), "export const value = 42;\n");
  const compiled = await compilePlaybook(entry, path.join(dir, "cache"));
  const text = readFileSync(compiled, "utf8");
  expect(text).not.toMatch(/\bimport\(/);
  expect(text).toContain("__bosunDynamicImport(");
  process.setSourceMapsEnabled(true);
  const loaded = (await import(pathToFileURL(compiled).href)) as { line: () => string };
  expect(loaded.line()).toContain(`${entry}:2:`);
});

test("a compiled file with none of the user's code carries no source map; the user's files keep theirs", async () => {
  const entry = path.join(dir, "packaged.ts");
  mkdirSync(path.join(dir, "node_modules", "packaged"), { recursive: true });
  writeFileSync(
    path.join(dir, "node_modules", "packaged", "package.json"),
    '{ "name": "packaged", "type": "module", "main": "index.js" }\n',
  );
  writeFileSync(path.join(dir, "node_modules", "packaged", "index.js"), "export const packaged = () => 'from a package';\n");
  writeFileSync(entry, 'export const lazy = () => import("packaged");\n');
  const compiled = await compilePlaybook(entry, path.join(dir, "cache-packaged"));
  const files = readdirSync(path.dirname(compiled)).filter((f) => f.endsWith(".js"));
  const mapped = files.filter((f) => readFileSync(path.join(path.dirname(compiled), f), "utf8").includes("sourceMappingURL="));
  expect(mapped).toEqual([path.basename(compiled)]);
  expect(files.length).toBeGreaterThan(mapped.length);
});
