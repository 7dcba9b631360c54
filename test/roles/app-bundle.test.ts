/** Role app-bundle without a host: which local files are synced, which directories they need, and path checks. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { appBundle, bundleDirs, bundleFiles } from "../../roles/app-bundle/index.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-bundle-"));
  mkdirSync(path.join(dir, "config", "nginx"), { recursive: true });
  mkdirSync(path.join(dir, "docs"));
  for (const f of ["compose.yaml", "README.md", ".env.hbs", "config/nginx/site.conf", "docs/notes.md"]) writeFileSync(path.join(dir, f), f);
  writeFileSync(path.join(dir, "hook.sh"), "#!/bin/sh\n");
  chmodSync(path.join(dir, "hook.sh"), 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bundleFiles()", () => {
  test("lists every file sorted, minus excluded files and directories, with their execute bit", () => {
    const files = bundleFiles(dir, ["README.md", ".env.hbs", "docs/"]);
    expect(files.map((f) => `${f.rel} ${f.executable}`)).toEqual(["compose.yaml false", "config/nginx/site.conf false", "hook.sh true"]);
    expect(files[0]!.abs).toBe(path.join(dir, "compose.yaml"));
  });

  test("bundleDirs() gives the directories the files need, parents first", () => {
    expect(bundleDirs(bundleFiles(dir, ["docs"]))).toEqual(["config", "config/nginx"]);
  });
});

describe("appBundle()", () => {
  test("refuses a path that leaves the app dir before running anything", async () => {
    const calls: string[] = [];
    const host = { run: async (call: { definition: { id: string } }) => (calls.push(call.definition.id), {}) as never };
    await expect(appBundle(host, { appDir: "/srv/app", source: dir, remove: ["../../etc/passwd"] })).rejects.toThrow(
      'Cannot use app-bundle path "../../etc/passwd": it must stay inside /srv/app',
    );
    expect(calls).toEqual([]);
  });

  test("the example bundles sync their compose files and create .env from .env.hbs", async () => {
    for (const source of ["examples/cfa-bundle", "examples/lab-bundle"]) {
      expect(bundleFiles(source, ["README.md", ".env.hbs"]).map((f) => f.rel)).toEqual(["compose.yaml"]);
    }
  });
});
