import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadOwnCjs } from "../../lib/core/own-cjs.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-own-cjs-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a CommonJS file loads as under require: exports, module.exports, its own require, __filename and __dirname", () => {
  const file = path.join(dir, "m.cjs");
  writeFileSync(
    file,
    '"use strict";\nconst path = require("node:path");\nexports.where = [__filename, __dirname];\nexports.join = (a, b) => path.join(a, b);\n',
  );
  const m = loadOwnCjs(file) as { where: string[]; join: (a: string, b: string) => string };
  expect(m.where).toEqual([file, dir]);
  expect(m.join("a", "b")).toBe(path.join("a", "b"));
  const replaced = path.join(dir, "r.cjs");
  writeFileSync(replaced, "module.exports = function answer() { return 42; };\n");
  expect((loadOwnCjs(replaced) as () => number)()).toBe(42);
});

test("once per process; its errors are this realm's errors and name the file in their stack", () => {
  const file = path.join(dir, "e.cjs");
  writeFileSync(file, "exports.loads = (exports.loads || 0) + 1;\nexports.fail = () => { throw new TypeError('bad input'); };\n");
  const m = loadOwnCjs(file) as { loads: number; fail: () => never };
  expect(loadOwnCjs(file)).toBe(m);
  expect(m.loads).toBe(1);
  let thrown: unknown;
  try {
    m.fail();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect((thrown as Error).stack).toContain(file);
});

test("a missing file throws, as require does", () => {
  expect(() => loadOwnCjs(path.join(dir, "missing.cjs"))).toThrow(/ENOENT/);
});
