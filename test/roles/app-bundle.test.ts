/** Role app-bundle without a host: which local files are synced, which directories they need, and path checks. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { appBundleRole, bundleDirs, bundleFiles, createFileOnce, isEnvFile } from "../../roles/app-bundle/index.js";
import { placeholderKeys } from "../../roles/app-bundle/placeholders.js";
import { fakeHost } from "../support/host.js";

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

describe("appBundleRole()", () => {
  test("refuses a path that leaves the app dir before running anything", async () => {
    const calls: string[] = [];
    const host = { run: async (call: { definition: { id: string } }) => (calls.push(call.definition.id), {}) as never };
    await expect(appBundleRole(host, { appDir: "/srv/app", source: dir, remove: ["../../etc/passwd"] })).rejects.toThrow(
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

describe("secrets in the bundle", () => {
  test("isEnvFile() knows .env, .env.* and *.env files", () => {
    expect([".env", "config/.env.production", "app.env", "compose.yaml", "env/README.md", ".envrc"].map(isEnvFile)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  test("appBundleRole() syncs an env file of the source with mode 0600, never world-readable, and skips what `exclude` lists", async () => {
    const src = mkdtempSync(path.join(os.tmpdir(), "bosun-bundle-env-"));
    try {
      for (const f of ["compose.yaml", ".env.production", "secrets.env", "notes.txt"]) writeFileSync(path.join(src, f), "x=1\n");
      const calls: { id: string; params: Record<string, unknown> }[] = [];
      const host = {
        run: async (call: { definition: { id: string }; params: unknown }) => (
          calls.push({ id: call.definition.id, params: call.params as Record<string, unknown> }),
          {} as never
        ),
      };
      await appBundleRole(host, { appDir: "/srv/app", source: src, exclude: ["README.md", "notes.txt"] });
      const modes = calls.filter((c) => c.id === "files.ensureFile").map((c) => `${String(c.params.path)} ${String(c.params.mode)}`);
      expect(modes).toEqual(["/srv/app/.env.production 0600", "/srv/app/compose.yaml 0644", "/srv/app/secrets.env 0600"]);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  test("placeholderKeys() names the keys whose value still holds a placeholder, comments skipped", () => {
    const env =
      "# set every CHANGE_ME\nPOSTGRES_PASSWORD=CHANGE_ME\nUSER=cfa\nexport KC_PASSWORD='changeme'\nURL=postgres://u:CHANGE_ME@db/x\n";
    expect(placeholderKeys(env)).toEqual(["POSTGRES_PASSWORD", "KC_PASSWORD", "URL"]);
    expect(placeholderKeys("A=1\n")).toEqual([]);
  });

  test("createFileOnce() refuses to create an env file that still holds CHANGE_ME, naming the keys, and creates nothing", async () => {
    const template = path.join(dir, "placeholder.env.hbs");
    writeFileSync(template, 'DB_PASSWORD={{default db_password "CHANGE_ME"}}\nSECRET_KEY={{default secret_key (randomSecret)}}\n');
    const { host, connection } = fakeHost({ respond: () => ({ stdout: "absent\n" }) });
    await expect(host.run(createFileOnce({ path: "/srv/app/.env", template }))).rejects.toThrow(
      /Cannot create \/srv\/app\/.env: DB_PASSWORD still holds a placeholder value/,
    );
    expect(connection.executed).toHaveLength(1); // the path probe only: nothing written
  });
});
