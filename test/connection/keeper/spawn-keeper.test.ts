import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { keeperEntry } from "../../../lib/connection/keeper/spawn-keeper.js";

describe("keeperEntry()", () => {
  test("under tsx: keeper-main.ts beside the module", () => {
    expect(keeperEntry(pathToFileURL(path.resolve("lib/connection/keeper/spawn-keeper.ts")).href)).toBe(
      path.resolve("lib/connection/keeper/keeper-main.ts"),
    );
  });

  test("in the package's bundle: from the main file, a lazy chunk or the bin, the bundle's keeper entry", () => {
    const bundle = mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    mkdirSync(path.join(bundle, "connection", "keeper"), { recursive: true });
    mkdirSync(path.join(bundle, "cli"));
    const entry = path.join(bundle, "connection", "keeper", "keeper-main.js");
    writeFileSync(entry, "");
    for (const from of ["index.js", "lazy-ABC.js", "cli/bin.js"])
      expect(keeperEntry(pathToFileURL(path.join(bundle, from)).href)).toBe(entry);
  });

  test("nowhere to be found: undefined (the connection is then not kept)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nothing-"));
    expect(keeperEntry(pathToFileURL(path.join(dir, "x.js")).href)).toBeUndefined();
  });
});
