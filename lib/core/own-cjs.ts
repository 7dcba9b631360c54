/**
 * Load a CommonJS file of bosun's own build (the vendored handlebars) by compiling it here, not
 * through `require`'s loader. Under a TypeScript runner (`tsx`), every file `require` loads first
 * goes through the runner's hook, which scans any file that mentions `export` for ESM syntax: for
 * handlebars' 240 KB that scan cost as much as compiling it (about 14 ms to load instead of 8).
 * (The precompiled validators gain nothing from it: their compile dominates.) What such a file
 * requires itself goes through an ordinary `require` from its own place.
 *
 * The code is compiled with this realm's `Function`, so its objects and errors are this realm's
 * (as under `require`, also inside a test runner's sandbox).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const loaded = new Map<string, unknown>();

/** The exports of the CommonJS file `file` (an absolute path), loaded once per process. Throws as `require` does when it is missing. */
export function loadOwnCjs(file: string): unknown {
  if (loaded.has(file)) return loaded.get(file);
  const source = readFileSync(file, "utf8");
  const wrapper = new Function("exports", "require", "module", "__filename", "__dirname", `${source}\n//# sourceURL=${file}`);
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  loaded.set(file, module.exports);
  return module.exports;
}
