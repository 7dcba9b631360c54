/**
 * Role app-bundle on a fresh lab host over real SSH: the app dir owned by the deploy user, the
 * bundle's files synced from a local directory, a long-lived `.env` created once and never
 * overwritten, nothing removed unless asked. Every check of the host uses plain ssh.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TaskResult } from "../../lib/core/task.js";
import { appBundleRole, type AppBundleRoleInput } from "../../roles/app-bundle/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { TaskRunner } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-role-app-bundle" });
const SLOW = 120_000;
const APP = "/srv/shop";

let runner: TaskRunner;
let source: string;
const sh = (command: string): string => {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
};
const input = (extra: Partial<AppBundleRoleInput> = {}): AppBundleRoleInput => ({
  appDir: APP,
  source,
  envVars: { shop_secret: "s3cr3t-value" },
  ...extra,
});
const run = (extra: Partial<AppBundleRoleInput> = {}, check = false): Promise<TaskResult[]> =>
  appBundleRole({ run: (call) => runner.run(call, { check }) }, input(extra));
const state = () => sh(`find ${APP} -printf '%p %u:%g %m %s\\n' 2>&1 | sort; cat ${APP}/.env 2>&1; true`);

beforeAll(async () => {
  const host = lab().hosts[0]!;
  runner = new TaskRunner({ name: host.name, sshPort: host.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath });
  sh("useradd -m -s /bin/bash deploy");
  source = mkdtempSync(path.join(os.tmpdir(), "bosun-app-bundle-"));
  mkdirSync(path.join(source, "config"));
  mkdirSync(path.join(source, "bin"));
  writeFileSync(path.join(source, "compose.yaml"), "services:\n  web:\n    image: ${REGISTRY_IMAGE}/web:${TAG}\n");
  writeFileSync(path.join(source, "config", "app.conf"), "workers = 4\n");
  writeFileSync(path.join(source, "bin", "hook.sh"), "#!/bin/sh\necho hook\n");
  chmodSync(path.join(source, "bin", "hook.sh"), 0o755);
  writeFileSync(path.join(source, "README.md"), "not synced\n");
  writeFileSync(path.join(source, ".env.hbs"), 'SHOP_SECRET={{shop_secret}}\nLEVEL={{default shop_level "info"}}\n');
}, SLOW);
afterAll(async () => {
  await runner?.close();
  if (source) rmSync(source, { recursive: true, force: true });
});

describe("role app-bundle", () => {
  test(
    "appBundleRole() --check on a fresh host reports every change and leaves the host untouched",
    async () => {
      const before = state();
      expect(before).toMatch(/No such file or directory/);
      const results = await run({}, true);
      expect(results.map((r) => `${r.status} ${r.title}`)).toEqual([
        `changed directory ${APP}`,
        `changed directory ${APP}/bin`,
        `changed directory ${APP}/config`,
        "changed bundle file bin/hook.sh",
        "changed bundle file compose.yaml",
        "changed bundle file config/app.conf",
        `changed file ${APP}/.env (created once)`,
      ]);
      expect(state()).toBe(before);
    },
    SLOW,
  );

  test(
    "appBundleRole() installs the bundle owned by the deploy user and creates .env from the template; again, it changes nothing, one command per task",
    async () => {
      const results = await run();
      expect(results.filter((r) => r.status !== "changed")).toEqual([]);
      expect(sh(`find ${APP} -printf '%P %u:%g %m\\n' | sort`)).toBe(
        [
          " deploy:deploy 750",
          ".env deploy:deploy 600",
          "bin deploy:deploy 750",
          "bin/hook.sh deploy:deploy 755",
          "compose.yaml deploy:deploy 644",
          "config deploy:deploy 750",
          "config/app.conf deploy:deploy 644",
          "",
        ].join("\n"),
      );
      expect(sh(`cat ${APP}/.env`)).toBe("SHOP_SECRET=s3cr3t-value\nLEVEL=info\n");
      expect(sh(`cat ${APP}/compose.yaml`)).toBe("services:\n  web:\n    image: ${REGISTRY_IMAGE}/web:${TAG}\n");
      expect(results.map((r) => r.diff ?? "").join("")).not.toContain("s3cr3t-value");

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const before = state();
      const again = await run();
      expect(again.map((r) => `${r.status} ${r.commands}`)).toEqual(Array(7).fill("ok 1"));
      expect(state()).toBe(before);
    },
    SLOW,
  );

  test(
    "an edited .env is never overwritten; files on the host the bundle lacks are kept; a changed file is synced",
    async () => {
      sh(`printf 'SHOP_SECRET=rotated-by-hand\\n' > ${APP}/.env && touch ${APP}/compose.override.yaml && mkdir ${APP}/data`);
      writeFileSync(path.join(source, "config", "app.conf"), "workers = 8\n");
      const results = await run({ envVars: { shop_secret: "another" } });
      expect(results.filter((r) => r.changed).map((r) => r.title)).toEqual(["bundle file config/app.conf"]);
      expect(results.at(-1)?.message).toBe(`${APP}/.env exists; left as it is (never overwritten)`);
      expect(sh(`cat ${APP}/.env ${APP}/config/app.conf; ls ${APP}`)).toBe(
        "SHOP_SECRET=rotated-by-hand\nworkers = 8\nbin\ncompose.override.yaml\ncompose.yaml\nconfig\ndata\n",
      );
    },
    SLOW,
  );

  test(
    "remove: lists what goes from the host; a path outside the app dir is refused",
    async () => {
      const results = await run({ remove: ["compose.override.yaml"] });
      expect(results.at(-1)).toMatchObject({ task: "files.ensureAbsent", status: "changed" });
      expect(sh(`ls ${APP}`)).toBe("bin\ncompose.yaml\nconfig\ndata\n");
      await expect(run({ remove: ["../etc/passwd"] })).rejects.toThrow(/must stay inside \/srv\/shop/);
    },
    SLOW,
  );

  test(
    "a template variable that is missing fails the creation of .env, naming it",
    async () => {
      const results = await run({ appDir: "/srv/shop2", envVars: {} });
      const env = results.at(-1)!;
      expect(env).toMatchObject({ task: "appBundle.createFileOnce", status: "failed" });
      expect(env.message).toMatch(/variable "shop_secret" is not defined/);
      expect(sh("ls -A /srv/shop2")).toBe("bin\ncompose.yaml\nconfig\n");
    },
    SLOW,
  );
});
