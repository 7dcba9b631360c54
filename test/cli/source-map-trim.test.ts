import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { trimSourceMap, type RawSourceMap } from "../../lib/cli/source-map-trim.js";

let dir: string;
let code: string;
let map: RawSourceMap;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-map-"));
  writeFileSync(path.join(dir, "lib.ts"), 'export function helper(): string {\n  return "in-lib";\n}\n');
  writeFileSync(path.join(dir, "other.ts"), 'export const other = (): string =>\n  "in-other";\n');
  writeFileSync(
    path.join(dir, "user.ts"),
    'import { helper } from "./lib.ts";\nimport { other } from "./other.ts";\n\nexport const a = helper();\nexport const b = "in-user" + other();\n',
  );
  const result = await build({
    entryPoints: [path.join(dir, "user.ts")],
    bundle: true,
    format: "esm",
    sourcemap: "external",
    write: false,
    outdir: dir,
    absWorkingDir: dir,
  });
  code = result.outputFiles.find((f) => f.path.endsWith(".js"))!.text;
  map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith(".map"))!.text) as RawSourceMap;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Where `text` is in the generated code, zero-based. */
function at(text: string): [number, number] {
  const index = code.indexOf(text);
  const before = code.slice(0, index).split("\n");
  return [before.length - 1, (before.at(-1) as string).length];
}

const entry = (m: RawSourceMap, [line, column]: [number, number]): { originalSource?: string; originalLine?: number } =>
  new SourceMap(m as never).findEntry(line, column) as never;

test("kept sources map as before; a position in a dropped source maps to nothing, not to the kept code before it", () => {
  expect(entry(map, at('"in-lib"'))).toMatchObject({ originalSource: "lib.ts", originalLine: 1 });
  const trimmed = trimSourceMap(map, (s) => !s.endsWith("lib.ts"));
  expect(trimmed.sources).toEqual(map.sources.filter((s) => !s.endsWith("lib.ts")));
  expect(entry(trimmed, at('"in-lib"')).originalSource).toBeUndefined();
  expect(entry(trimmed, at("function helper")).originalSource).toBeUndefined();
  expect(entry(trimmed, at('"in-other"'))).toMatchObject({ originalSource: "other.ts", originalLine: 1 });
  expect(entry(trimmed, at('"in-user"'))).toMatchObject({ originalSource: "user.ts", originalLine: 4 });
  expect(entry(trimmed, at("helper();"))).toMatchObject({ originalSource: "user.ts", originalLine: 3 });
});

test("an unmapped stretch is one bare segment, however many lines it runs on", () => {
  const trimmed = trimSourceMap(map, (s) => !s.endsWith("lib.ts"));
  const [first] = at("function helper");
  const [inside] = at('"in-lib"');
  expect(inside).toBeGreaterThan(first);
  const lines = trimmed.mappings.split(";");
  expect(lines[first]).toBe("A");
  expect(lines.slice(first + 1, inside + 1)).toEqual(Array(inside - first).fill(""));
  expect(entry(trimmed, at('"in-lib"')).originalSource).toBeUndefined();
});

test("keeping everything gives the same mappings", () => {
  expect(trimSourceMap(map, () => true).mappings).toBe(map.mappings);
});
