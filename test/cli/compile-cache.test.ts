import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  cachedPlaybook,
  compileCacheDir,
  COMPILE_FORMAT,
  SETTLED_MS,
  settledStamp,
  sha256,
  statStamp,
} from "../../lib/cli/compile-cache.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-cache-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("the cache sits in the nearest node_modules above the playbook, else beside it", () => {
  mkdirSync(path.join(dir, "node_modules"));
  mkdirSync(path.join(dir, "playbooks", "deploy"), { recursive: true });
  expect(compileCacheDir(path.join(dir, "playbooks", "deploy", "playbook.ts"))).toBe(
    path.join(dir, "node_modules", ".cache", "bosun", "compiled"),
  );
});

test("a compilation is used only while its format is this bosun's and every input hashes as recorded", () => {
  const playbook = path.join(dir, "book.ts");
  const entry = path.join(dir, "compiled.js");
  writeFileSync(playbook, "export {};\n");
  writeFileSync(entry, "export {};\n");
  const manifest = (format: number, hash = sha256("export {};\n")) =>
    writeFileSync(path.join(dir, `${sha256(playbook).slice(0, 16)}.json`), JSON.stringify({ format, inputs: { [playbook]: hash }, entry }));
  manifest(COMPILE_FORMAT);
  expect(cachedPlaybook(playbook, dir)).toBe(entry);
  manifest(COMPILE_FORMAT - 1);
  expect(cachedPlaybook(playbook, dir)).toBeUndefined();
  manifest(COMPILE_FORMAT, sha256("something else"));
  expect(cachedPlaybook(playbook, dir)).toBeUndefined();
  manifest(COMPILE_FORMAT);
  rmSync(entry);
  expect(cachedPlaybook(playbook, dir)).toBeUndefined();
});

test("an input whose stamp is as recorded is not read again; any write changes the stamp and the content is compared", () => {
  const playbook = path.join(dir, "book.ts");
  const entry = path.join(dir, "compiled.js");
  writeFileSync(playbook, "export {};\n");
  writeFileSync(entry, "export {};\n");
  const manifest = (stamp: string) =>
    writeFileSync(
      path.join(dir, `${sha256(playbook).slice(0, 16)}.json`),
      JSON.stringify({ format: COMPILE_FORMAT, inputs: { [playbook]: sha256("recorded content") }, stamps: { [playbook]: stamp }, entry }),
    );
  manifest(statStamp(statSync(playbook)));
  expect(cachedPlaybook(playbook, dir)).toBe(entry); // taken on its stamp: the (different) hash was not compared
  writeFileSync(playbook, "export const edited = 1;\n");
  expect(cachedPlaybook(playbook, dir)).toBeUndefined();
});

test("only a file left alone for a while gets a stamp: one written in the same clock tick could keep it", () => {
  const file = path.join(dir, "recent.ts");
  writeFileSync(file, "export {};\n");
  const stats = statSync(file);
  expect(settledStamp(stats)).toBeUndefined();
  expect(settledStamp(stats, Math.max(stats.mtimeMs, stats.ctimeMs) + SETTLED_MS)).toBe(statStamp(stats));
});
