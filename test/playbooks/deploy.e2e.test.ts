/**
 * The deploy playbook on two `docker` lab hosts over real SSH, reached as a user does: bootstrap
 * as root on the fresh hosts (deploy user, docker with the lab registry, compose, the bundle),
 * then every deploy as the deploy user, with the lab bundle (demo app + postgres + migrator from
 * the lab registry): host 1 is "staging", host 2 "production". The tests run in order on the same
 * hosts; every check of a host uses plain ssh as root (curl from inside the host, docker, psql,
 * cat, flock), never bosun's facts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import type { RunReport } from "../../lib/core/report.js";
import { runPlaybook } from "../../lib/run/runner.js";
import type { TaskResult } from "../../lib/core/task.js";
import { loadInventory } from "../../lib/inventory/index.js";
import type { Inventory, Vars } from "../../lib/inventory/types.js";
import type { LabHost, LabInfo } from "../../lib/lab/index.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { deploy } from "../../playbooks/deploy/playbook.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { labGroupVars } from "../../playbooks/lab/inventory.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";
import { startStandIn, type StandIn } from "../support/stand-ins/server.js";

const lab = useLab({ name: "t-deploy", count: 2, variant: "docker" });
const SLOW = 180_000;
const APP = "/srv/demo";
const HISTORY = `${APP}/.bosun/releases.jsonl`;
const LOCK = `${APP}/.bosun/deploy.lock`;
const BUNDLE = path.resolve("examples/lab-bundle");
/** A command that prints "free" when no process holds the deploy lock. */
const FREE = `flock -n ${LOCK} true && echo free`;
const MIGRATOR = { migrator: { service: "migrator" } };

let services: LabServices;
let dir: string;
let stagingFile: string;
let productionFile: string;
let staging: Inventory;
let production: Inventory;
let s1: LabHost;
let s2: LabHost;

/** Run a command on a lab host as root; fails the test on a non-zero exit. */
async function sh(host: LabHost, command: string): Promise<string> {
  const r = await sshExec(host, command, { allowFailure: true });
  if (r.code !== 0) throw new Error(`ssh ${host.name} ${command}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}
const version = (host: LabHost) => sh(host, "curl -s http://127.0.0.1:8080/version");
const history = async (host: LabHost) =>
  (await sh(host, `cat ${HISTORY} 2>/dev/null || true`))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const last = async (host: LabHost) => (await history(host)).pop();

/** The inventory file of one lab host as the deploy user, with bootstrap's and the lab bundle's deploy variables. */
function inventoryYaml(info: LabInfo, host: LabHost, user: string): string {
  const boot = labGroupVars(info, services);
  return `all:
  vars:
    ansible_user: ${user}
    ansible_ssh_private_key_file: ${info.keyPath}
    bosun_known_hosts: ${info.knownHostsPath}
    deploy_user: deploy
    deploy_authorized_keys: ${JSON.stringify(boot.deploy_authorized_keys)}
    timezone: Etc/UTC
${["docker_repo_url", "docker_compose_plugin_deb"]
  .filter((k) => boot[k] !== undefined)
  .map((k) => `    ${k}: ${JSON.stringify(boot[k])}\n`)
  .join("")}    docker_daemon_json: ${JSON.stringify(boot.docker_daemon_json)}
    app_bundle_source: ${BUNDLE}
    app_dir: ${APP}
    project_name: demo
    registry_image: ${services.registry.address}/demo
    registry_user: ${services.registry.username}
    registry_password: !env BOSUN_T_DEPLOY_REGISTRY_PASSWORD
    readiness:
      - { service: app, url: "http://127.0.0.1:8080/api/ready", status: 200, timeoutSeconds: 8 }
      - { service: app, url: "http://127.0.0.1:8080/health", status: 200, timeoutSeconds: 8, body: ok }
    backup: { service: db, database: app, keep: 3 }
    keep_images: 2
  hosts:
    ${host.name}: { ansible_host: 127.0.0.1, ansible_port: ${host.sshPort} }
`;
}

function deployRun(inventory: Inventory, extraVars: Vars, check = false): Promise<RunReport> {
  return runPlaybook(deploy, { inventory, extraVars, check });
}
const results = (report: RunReport): TaskResult[] => report.plays.flatMap((p) => p.results);
const result = (report: RunReport, task: string) => results(report).find((r) => r.task === task);
const changedTasks = (report: RunReport) =>
  results(report)
    .filter((r) => r.changed)
    .map((r) => r.title);

/** As a user does on a fresh host: bootstrap as root (deploy user, docker with the lab registry, compose, the bundle). */
async function bootstrapHost(host: LabHost): Promise<void> {
  const root = await loadInventory(path.join(dir, `root-${host.name}.yml`));
  const report = await runPlaybook(bootstrap, { inventory: root });
  if (report.exitCode !== 0) throw new Error(`bootstrap of ${host.name}: ${JSON.stringify(report.hostErrors)}`);
}

beforeAll(async () => {
  services = await servicesUp();
  process.env.BOSUN_T_DEPLOY_REGISTRY_PASSWORD = services.registry.password;
  const info = lab();
  [s1, s2] = info.hosts as [LabHost, LabHost];
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-t-deploy-"));
  stagingFile = path.join(dir, "staging.yml");
  productionFile = path.join(dir, "production.yml");
  writeFileSync(stagingFile, inventoryYaml(info, s1, "deploy"));
  writeFileSync(productionFile, inventoryYaml(info, s2, "deploy"));
  for (const h of [s1, s2]) writeFileSync(path.join(dir, `root-${h.name}.yml`), inventoryYaml(info, h, "root"));
  await Promise.all([bootstrapHost(s1), bootstrapHost(s2)]);
  staging = await loadInventory(stagingFile);
  production = await loadInventory(productionFile);
}, 900_000);

// A webhook receiver on the controller for deploy announcements (a stand-in for Slack/Mattermost: it records the JSON posts).
let hook: StandIn;
beforeAll(async () => {
  hook = await startStandIn(() => ({ status: 200, body: "ok" }));
});
const announced = (from: number): string[] =>
  hook.requests.slice(from).map((r) => String((r.json as { text?: unknown } | undefined)?.text ?? ""));

afterAll(async () => {
  await hook?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("deploy playbook", () => {
  test(
    "--check on a host that needs a release reports the changes and changes nothing",
    async () => {
      const state = `ls -la ${APP}; docker ps -aq; docker images -q; ls -a ~deploy/.docker 2>&1; ls -la ${APP}/.bosun 2>&1; true`;
      const before = await sh(s1, state);
      const report = await deployRun(staging, { tag: "v1", ...MIGRATOR }, true);
      expect(report.hostErrors).toEqual({});
      expect(report.exitCode).toBe(0);
      expect(changedTasks(report)).toEqual(["docker login registry.lab.test:5000 as lab", "deploy.env: TAG=v1", "release (none) -> v1"]);
      expect(result(report, "deploy.releasePlan")?.message).toMatch(
        /would write deploy\.env with TAG=v1, then pull the images, then dump app .*then run migrator, then compose up, then gate readiness of app/,
      );
      expect(await sh(s1, state)).toBe(before);
    },
    SLOW,
  );

  test(
    "deploy v1 with a migrator: v1 answers /version, the history records it, the lock is gone, .env is untouched; the same deploy again reports zero changes and appends nothing to the history, and --check then reports no release",
    async () => {
      const env = await sh(s1, `sha256sum ${APP}/.env`);
      const report = await deployRun(staging, { tag: "v1", sha: "a1b2c3d", ...MIGRATOR });
      expect(report.hostErrors).toEqual({});
      expect(report.exitCode).toBe(0);
      expect(await version(s1)).toBe("v1\n");
      expect(await sh(s1, `cat ${APP}/deploy.env`)).toMatch(/^REGISTRY_IMAGE=registry\.lab\.test:5000\/demo\nTAG=v1\n$/m);
      expect(await history(s1)).toEqual([expect.objectContaining({ tag: "v1", result: "success", action: "deploy", sha: "a1b2c3d" })]);
      expect(await sh(s1, "docker exec demo-db-1 psql -U postgres -d app -Atc 'SELECT name FROM items'")).toBe("seeded by v1\n");
      expect(await sh(s1, FREE)).toBe("free\n");
      expect(await sh(s1, `sha256sum ${APP}/.env`)).toBe(env);

      // The same deploy right after, in the same test (so it cannot pass against a host some other run converged).
      const before = await sh(s1, `stat -c '%Y %s' ${APP}/deploy.env ${HISTORY}; docker ps -q --no-trunc | sort`);
      const again = await deployRun(staging, { tag: "v1", sha: "a1b2c3d", ...MIGRATOR });
      expect(again.hostErrors).toEqual({});
      expect(changedTasks(again)).toEqual([]);
      expect(again.stats[s1.name]).toMatchObject({ changed: 0, failed: 0 });
      expect(await sh(s1, `stat -c '%Y %s' ${APP}/deploy.env ${HISTORY}; docker ps -q --no-trunc | sort`)).toBe(before);
      // --check on the converged host: no release, no record, zero changes.
      const checked = await deployRun(staging, { tag: "v1", ...MIGRATOR }, true);
      expect(checked.exitCode).toBe(0);
      expect(changedTasks(checked)).toEqual([]);
    },
    SLOW,
  );

  test(
    "deploy v2 with a migrator: the dump taken before the migration restores into a scratch database",
    async () => {
      const seen = hook.requests.length;
      const report = await deployRun(staging, { tag: "v2", ...MIGRATOR, deployer: "alice", deploy_announce_webhook: `${hook.url}/deploy` });
      expect(report.hostErrors).toEqual({});
      expect(await version(s1)).toBe("v2\n");
      // Announced from the controller: the start, then the success naming host, release and who.
      expect(announced(seen)).toEqual([
        `deploy of v2 to ${s1.name} started by alice`,
        expect.stringMatching(new RegExp(`^${s1.name} runs v2( \\(.*\\))?: deployed by alice in \\d+ s$`)),
      ]);
      const dump = (await sh(s1, `ls ${APP}/backups/*-v2.sql.gz`)).trim();
      expect(dump).toMatch(/\/backups\/\d{8}T\d{6}Z-v2\.sql\.gz$/);
      expect(result(report, "deploy.backupDatabase")?.output).toMatchObject({ file: dump });
      const restored = await sh(
        s1,
        `docker exec demo-db-1 createdb -U postgres scratch && gunzip -c ${dump} | docker exec -i demo-db-1 psql -q -v ON_ERROR_STOP=1 -U postgres -d scratch >/dev/null && docker exec demo-db-1 psql -U postgres -d scratch -Atc 'SELECT name FROM items ORDER BY id'`,
      );
      expect(restored).toBe("seeded by v1\n"); // v2's migration ran after the dump
      expect(await sh(s1, "docker exec demo-db-1 psql -U postgres -d app -Atc 'SELECT version FROM schema_migrations ORDER BY 1'")).toBe(
        "v1\nv2\n",
      );
    },
    SLOW,
  );

  test(
    "deploy a broken tag (through the CLI): readiness fails, v2 answers again, exit 2, the history records the failure",
    async () => {
      let out = "";
      const sink = { write: (t: string) => void (out += t), isTTY: false };
      const seen = hook.requests.length;
      const announceTo = `deploy_announce_webhook=${hook.url}/deploy`;
      const code = await runCli(deploy, ["--inventory", stagingFile, "--tag", "broken", "-e", announceTo, "-e", "deployer=bob"], {
        stdout: sink,
        stderr: sink,
        handleSignals: false,
      });
      expect(code).toBe(2);
      expect(out).not.toContain(services.registry.password);
      expect(out).toMatch(
        /Cannot deploy broken: app is not ready: cannot get status 200 from http:\/\/127\.0\.0\.1:8080\/api\/ready .*last saw status 500.*Rolled back to v2: it is ready again/,
      );
      expect(await version(s1)).toBe("v2\n");
      expect(await sh(s1, `grep '^TAG=' ${APP}/deploy.env`)).toBe("TAG=v2\n");
      expect(await last(s1)).toMatchObject({
        tag: "broken",
        result: "failed",
        previous: "v2",
        rolledBackTo: "v2",
        rollbackResult: "success",
      });
      expect(await sh(s1, FREE)).toBe("free\n");
      expect(announced(seen)).toEqual([
        `deploy of broken to ${s1.name} started by bob`,
        expect.stringMatching(
          new RegExp(`^deploy of broken to ${s1.name} by bob rolled back after \\d+ s: Cannot deploy broken: app is not ready`),
        ),
      ]);
    },
    SLOW,
  );

  test(
    "--rollback redeploys the previous good tag: v1 answers again",
    async () => {
      const report = await deployRun(staging, { rollback: true });
      expect(report.hostErrors).toEqual({});
      expect(await version(s1)).toBe("v1\n");
      expect(await last(s1)).toMatchObject({ tag: "v1", result: "success", action: "rollback", previous: "v2", sha: "a1b2c3d" });
      expect(result(report, "docker.composeRun")).toBeUndefined(); // a rollback never runs the migrator
    },
    SLOW,
  );

  test(
    "a failing migrator aborts the deploy before anything switches: v1 keeps serving",
    async () => {
      const containers = await sh(s1, "docker ps --format '{{.Names}} {{.Image}} {{.ID}}' | sort");
      const report = await deployRun(staging, { tag: "v3", migrator: { service: "migrator", env: { MIGRATE_FAIL: "1" } } });
      expect(report.exitCode).toBe(2);
      expect(report.hostErrors[s1.name]).toMatch(
        /Cannot deploy v3: the migrator failed: .*failing on purpose.*Nothing switched: deploy\.env is back as it was; v1 keeps serving/s,
      );
      expect(result(report, "docker.composeUp")).toBeUndefined();
      expect(await version(s1)).toBe("v1\n");
      expect(await sh(s1, `grep '^TAG=' ${APP}/deploy.env`)).toBe("TAG=v1\n");
      expect(await sh(s1, "docker ps --format '{{.Names}} {{.Image}} {{.ID}}' | sort")).toBe(containers);
      expect(await last(s1)).toMatchObject({ tag: "v3", result: "failed", reason: expect.stringMatching(/the migrator failed/) });
    },
    SLOW,
  );

  test(
    "two deploys started together: one fails naming the lock holder, the other deploys",
    async () => {
      const [a, b] = await Promise.all([
        deployRun(staging, { tag: "v3", deployer: "alice", lock_wait: 0 }),
        deployRun(staging, { tag: "v3", deployer: "bob", lock_wait: 0 }),
      ]);
      const codes = [a.exitCode, b.exitCode].sort();
      expect(codes).toEqual([0, 2]);
      const [loser, winner] = a.exitCode === 2 ? [a, "alice"] : [b, "bob"];
      expect(loser.hostErrors[s1.name]).toMatch(
        new RegExp(`Cannot take the deploy lock ${LOCK}: held by ${winner === "alice" ? "bob" : "alice"} \\(tag v3, pid \\d+\\) since `),
      );
      expect(await version(s1)).toBe("v3\n");
      expect(await sh(s1, FREE)).toBe("free\n");
    },
    SLOW,
  );

  test(
    "a deploy of one service waits for a lock held by another deploy and goes on once it is released",
    async () => {
      // Another deploy's holder: a process of the deploy user holding the flock for 4 s.
      const owner = JSON.stringify({ who: "carol", tag: "v9", since: new Date().toISOString(), token: "feed" });
      await sh(s1, `printf '%s\\n' '${owner}' > ${LOCK} && su deploy -c "nohup flock ${LOCK} sleep 4 >/dev/null 2>&1 &"`);
      const report = await deployRun(staging, { tag: "v3", lock_wait: 60, services: "app" });
      expect(report.hostErrors).toEqual({});
      expect(result(report, "deploy.takeLock")?.message).toMatch(/^took the deploy lock after waiting [1-9]\d*s$/);
      expect(changedTasks(report)).toEqual([]);
      expect(result(report, "docker.composeUp")?.title).toBe("compose up demo (app)");
      // The lock was held while this deploy read the host: it reads it again once it holds the lock.
      expect(
        results(report)
          .filter((r) => r.task === "deploy.preflight")
          .map((r) => r.title),
      ).toEqual(["preflight /srv/demo", "preflight /srv/demo (again, under the lock)"]);
    },
    SLOW,
  );

  test(
    "a stale lock fails the deploy with a hint; --break-lock breaks it",
    async () => {
      // A holder alive elsewhere (a hung session): a process of the deploy user holding the flock, its record 2 hours old.
      await sh(s1, `su deploy -c "nohup flock ${LOCK} sleep 600 >/dev/null 2>&1 &" && sleep 1`);
      const pid = (await sh(s1, `pgrep -u deploy -x sleep | head -1`)).trim();
      const owner = JSON.stringify({ pid: Number(pid), who: "dave", tag: "v8", since: "2020-01-01T00:00:00.000Z", token: "dead" });
      await sh(s1, `printf '%s\\n' '${owner}' > ${LOCK} && touch -d '2 hours ago' ${LOCK}`);
      const refused = await deployRun(staging, { tag: "v3", lock_wait: 0 });
      expect(refused.exitCode).toBe(2);
      expect(refused.hostErrors[s1.name]).toMatch(
        /held by dave \(tag v8, pid \d+\) since 2020-01-01T00:00:00\.000Z, 1[12]\d min ago.*hint: the lock is older than 30 min: if that deploy hangs, run again with --break-lock/s,
      );
      const broken = await deployRun(staging, { tag: "v3", "break-lock": true });
      expect(broken.hostErrors).toEqual({});
      expect(result(broken, "deploy.takeLock")?.message).toMatch(/broke the stale lock of dave \(tag v8, pid \d+\)/);
      expect(await sh(s1, `kill -0 ${pid} 2>/dev/null || echo gone`)).toBe("gone\n");
      expect(await sh(s1, FREE)).toBe("free\n");
    },
    SLOW,
  );

  test(
    "the image prune leaves the images of recorded releases and the newest tags, and removes the rest",
    async () => {
      // What the host has of the app repository, by its own docker: tag, image id, creation time.
      const repo = "registry.lab.test:5000/demo/app";
      const images = async () =>
        (await sh(s1, `docker image ls --no-trunc --format '{{.Tag}} {{.ID}}' ${repo}`))
          .split("\n")
          .filter(Boolean)
          .map((l) => l.split(" ") as [string, string]);
      const created = async (tag: string) =>
        (await sh(s1, `docker image inspect -f '{{.Created}}' ${repo}:${tag} 2>/dev/null || echo gone`)).trim();
      // broken was pulled by its deploy but never released; the three others are recorded releases.
      const brokenCreated = await created("broken");
      const newerThanBroken = (await Promise.all(["v1", "v2", "v3"].map(created))).filter((c) => c > brokenCreated).length;
      // The live release again: nothing switches, and the prune runs as after every deploy.
      const report = await deployRun(staging, { tag: "v3" });
      expect(report.hostErrors).toEqual({});
      const left = await images();
      const tags = left.map(([t]) => t).sort();
      // v1, v2 and v3 are recorded releases (pinned by digest in the history): kept whatever keep_images says.
      expect(tags).toEqual(expect.arrayContaining(["v1", "v2", "v3"]));
      // broken stays only while it is among the keep_images (2) newest images of the repository.
      // (An earlier deploy's prune may have removed it already.)
      expect(tags.includes("broken")).toBe(brokenCreated !== "gone" && newerThanBroken < 2);
      if (brokenCreated !== "gone" && newerThanBroken >= 2)
        expect(result(report, "docker.imagePrune")?.output).toMatchObject({ removed: [`${repo}:broken`] });
      // No untagged image of the repository is left that no release recorded.
      const recorded = (await history(s1)).flatMap((r) => Object.values((r.images as Record<string, string> | undefined) ?? {}));
      const untagged = left.filter(([t]) => t === "<none>").map(([, id]) => id);
      for (const id of untagged) {
        const digests = await sh(s1, `docker image inspect -f '{{json .RepoDigests}}' ${id}`);
        expect(recorded.some((d) => digests.includes(d.split("@")[1]!))).toBe(true);
      }
    },
    SLOW,
  );

  test(
    "--promote-from deploys exactly the tag live on staging to production",
    async () => {
      const report = await deployRun(production, { "promote-from": stagingFile });
      expect(report.hostErrors).toEqual({});
      expect(result(report, "deploy.readPromotionSource")?.message).toBe(`${stagingFile} runs v3 (${s1.name})`);
      expect(await version(s2)).toBe("v3\n");
      expect(await last(s2)).toMatchObject({ tag: "v3", result: "success", action: "promote", from: stagingFile });
      const again = await deployRun(production, { "promote-from": stagingFile });
      expect(changedTasks(again)).toEqual([]);
    },
    SLOW,
  );
});
