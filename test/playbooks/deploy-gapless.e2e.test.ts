/**
 * Gapless deploys (issue 13) on a `docker` lab host over real SSH, reached as a user does: bootstrap
 * as root, tls-renew (nginx with a certificate from the lab CA) and the deploys as the deploy user.
 * The bundle (fixtures/gapless-bundle) has the demo app fronted by nginx through the upstream
 * `demo_app`, and a worker with no HTTP front. While each deploy runs, a probe on this machine asks
 * https://<host>/version through nginx 20 times a second and counts answers and failures.
 * The CLI runs as a child process in its own process group (as `npx tsx playbooks/deploy.ts` in a
 * terminal), so that Ctrl-C reaches npx, tsx and the run together, as a terminal sends it.
 * A second lab host is "staging" (its own inventory file, fronted the same way), the source of
 * `--promote-from`; the first host is production.
 * Every check of a host uses plain ssh as root, never bosun's facts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Document, Scalar } from "yaml";
import type { RunReport } from "../../lib/core/report.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { loadInventory, loadInventorySources } from "../../lib/inventory/index.js";
import type { Inventory, Vars } from "../../lib/inventory/types.js";
import type { LabHost, LabInfo } from "../../lib/lab/index.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { deriveImage } from "../../lib/lab/services/build-image.js";
import { docker } from "../../lib/lab/services/docker.js";
import { loginForPush, PUSH_CONFIG_DIR, pushImage } from "../../lib/lab/services/registry-client.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { deploy } from "../../playbooks/deploy/playbook.js";
import { labFqdn, labGroupVars, labHostVars } from "../../playbooks/lab/inventory.js";
import { tlsRenew } from "../../playbooks/tls-renew/playbook.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";
import { startProbe, type Probe, type ProbeCounts } from "./deploy-probe.js";

const lab = useLab({ name: "t-gapless", count: 2, variant: "docker" });
const SLOW = 300_000;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUNDLE = path.join(REPO, "test/playbooks/fixtures/gapless-bundle");
const APP = "/srv/demo";
const LOCK = `${APP}/.bosun/deploy.lock`;
const UPSTREAM = "/etc/nginx/conf.d/bosun-upstream-demo_app.conf";
const PASSWORD_ENV = "BOSUN_T_GAPLESS_REGISTRY_PASSWORD";

let services: LabServices;
let host: LabHost;
let stagingHost: LabHost;
let dir: string;
let inventoryFile: string;
let inventory: Inventory;
let stagingFile: string;
let staging: Inventory;
let ca: string;
/** Probe figures of every scenario, printed at the end (for the README and the closing note). */
const figures: Record<string, ProbeCounts> = {};

/** Run a command as root on production (or `on`); fails the test on a non-zero exit. */
async function sh(command: string, on: LabHost = host): Promise<string> {
  const r = await sshExec(on, command, { allowFailure: true });
  if (r.code !== 0) throw new Error(`ssh ${on.name} ${command}: exit ${r.code}\n${r.stderr}`);
  return r.stdout;
}
const appContainers = (on: LabHost = host) =>
  sh(`docker ps -q --filter label=com.docker.compose.project=demo --filter label=com.docker.compose.service=app`, on);
/** The image reference each running app container was started from (`repo@sha256:...` when pinned). */
const appImages = async (on: LabHost = host) => {
  const ids = (await appContainers(on)).split("\n").filter(Boolean);
  return Promise.all(ids.map(async (id) => (await sh(`docker inspect -f '{{.Config.Image}}' ${id}`, on)).trim()));
};
/** APP_VERSION of each running app container (containers run pinned digests, so the image column names no tag). */
const appVersions = async () => {
  const ids = (await appContainers()).split("\n").filter(Boolean);
  const versions = await Promise.all(
    ids.map(async (id) =>
      (await sh(`docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' ${id} | sed -n 's/^APP_VERSION=//p'`)).trim(),
    ),
  );
  return versions.sort();
};
const lockFree = async () => (await sshExec(host, `flock -n ${LOCK} true`, { allowFailure: true })).code === 0;
const upstream = () => sh(`cat ${UPSTREAM}`);
const history = async (on: LabHost = host) =>
  (await sh(`cat ${APP}/.bosun/releases.jsonl 2>/dev/null || true`, on))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function probe(): Probe {
  return startProbe({ port: host.httpsPort, servername: labFqdn(host), ca });
}

async function until(what: string, check: () => Promise<boolean>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${seconds}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The inventory of one lab host (production or staging), with the bundle, nginx site and deploy settings of this test. */
function inventoryYaml(info: LabInfo, h: LabHost): string {
  const vars: Vars = {
    ...labGroupVars(info, services),
    app_bundle_source: BUNDLE,
    readiness: [
      { service: "app", url: "http://127.0.0.1:8080/api/ready", status: 200, timeoutSeconds: 30 },
      { service: "app", url: "http://127.0.0.1:8080/health", status: 200, body: "ok", timeoutSeconds: 10 },
    ],
    upstreams: [{ service: "app", port: 8080, upstream: "demo_app" }],
    drain_seconds: 4,
    settle_seconds: 4,
    keep_images: 2,
    lock_wait: 0,
  };
  const hostVars = {
    ...labHostVars(h, services),
    tls_sites: [{ name: "demo", server_names: [labFqdn(h)], cert_name: labFqdn(h), upstream: "http://demo_app" }],
  };
  const doc = new Document({ all: { vars, hosts: { [h.name]: hostVars } } });
  const password = new Scalar(PASSWORD_ENV);
  password.tag = "!env";
  doc.setIn(["all", "vars", "registry_password"], password);
  return doc.toString({ lineWidth: 0 });
}

/** A tag of demo/app in the lab registry made from v1 with other settings (a moving tag re-pushed, a crashing worker). */
async function pushAppTag(tag: string, env: Record<string, string>): Promise<void> {
  const base = `${services.registry.localAddress}/demo/app:v1`;
  await docker(["--config", PUSH_CONFIG_DIR, "pull", "-q", base]);
  const local = `bosun-t-gapless/app:${tag}`;
  await deriveImage(base, local, { changes: Object.entries(env).map(([k, v]) => `ENV ${k}=${v}`) });
  await pushImage(local, `demo/app:${tag}`);
}

/** A deploy CLI started by {@link cli}. */
interface CliRun {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; out: string }>;
  /** Its exit code and output once it has ended. */
  ended(): { code: number | null; out: string } | undefined;
  /** What it printed so far. */
  output(): string;
}

/** The deploy CLI as a user starts it in a terminal: npx tsx, in a process group of its own. */
function cli(args: readonly string[]): CliRun {
  const child = spawn("npx", ["tsx", "playbooks/deploy.ts", "--inventory", inventoryFile, ...args], {
    cwd: REPO,
    detached: true,
    env: { ...process.env, [PASSWORD_ENV]: services.registry.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  let ended: { code: number | null; out: string } | undefined;
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on("close", (code) => resolve((ended = { code, out }))),
  );
  return { child, done, ended: () => ended, output: () => out };
}

/** Wait for `check` while the CLI `c` runs; fails at once when it ends first, and with its output either way. */
async function whileRunning(c: CliRun, what: string, check: () => Promise<boolean>): Promise<void> {
  try {
    await until(what, async () => {
      const ended = c.ended();
      if (ended) throw new Error(`the deploy ended (exit ${ended.code}) before ${what}`);
      return check();
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the deploy printed:\n${c.output()}`, { cause: error });
  }
}

const results = (report: RunReport) => report.plays.flatMap((p) => p.results);

function run(extraVars: Vars): Promise<RunReport> {
  return runPlaybook(deploy, { inventory, extraVars });
}

/** Deploy `extraVars` with the probe running; returns the report and the probe's counts. */
async function probed(name: string, extraVars: Vars): Promise<{ report: RunReport; counts: ProbeCounts }> {
  const p = probe();
  await new Promise((r) => setTimeout(r, 1000)); // the probe sees the old release first
  const report = await run(extraVars);
  await new Promise((r) => setTimeout(r, 1000));
  const counts = await p.stop();
  figures[name] = counts;
  return { report, counts };
}

beforeAll(async () => {
  services = await servicesUp();
  process.env[PASSWORD_ENV] = services.registry.password;
  const info = lab();
  [host, stagingHost] = info.hosts as [LabHost, LabHost];
  ca = readFileSync(services.acme.rootFile, "utf8");
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-t-gapless-"));
  inventoryFile = path.join(dir, "lab.yml");
  writeFileSync(inventoryFile, inventoryYaml(info, host));
  inventory = await loadInventory(inventoryFile);
  stagingFile = path.join(dir, "staging.yml");
  writeFileSync(stagingFile, inventoryYaml(info, stagingHost));
  staging = await loadInventory(stagingFile);
  await loginForPush();
  await pushAppTag("crashy", { APP_VERSION: "crashy", WORKER_FAIL: "1" });
  // As a user does: bootstrap as root on the fresh hosts, then nginx and TLS as the deploy user (both hosts in one run).
  const both = await loadInventorySources([inventoryFile, stagingFile]);
  const boot = await runPlaybook(bootstrap, { inventory: both, extraVars: { ansible_user: "root" } });
  if (boot.exitCode !== 0) throw new Error(`bootstrap: ${JSON.stringify(boot.hostErrors)}`);
  const tls = await runPlaybook(tlsRenew, { inventory: both });
  if (tls.exitCode !== 0) throw new Error(`tls-renew: ${JSON.stringify(tls.hostErrors)}`);
}, 900_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The figures the README quotes: printed, never asserted on timings.
  console.log(
    `probe figures:\n${Object.entries(figures)
      .map(([k, c]) => `  ${k}: ${JSON.stringify(c)}`)
      .join("\n")}`,
  );
});

describe("gapless deploys through nginx with TLS", () => {
  test(
    "the first deploy (v1) points the nginx upstream at the gated container; --check of v2 says how each service is replaced",
    async () => {
      const report = await run({ tag: "v1" });
      expect(report.hostErrors).toEqual({});
      const [id] = (await appContainers()).split("\n").filter(Boolean);
      const ip = (await sh(`docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' ${id}`)).trim();
      expect(await upstream()).toContain(`server ${ip}:8080 max_fails=0;`);
      const counts = await (async () => {
        const p = probe();
        await new Promise((r) => setTimeout(r, 1500));
        return p.stop();
      })();
      expect(counts).toMatchObject({ failed: 0, sequence: ["v1"] });
      const check = await runPlaybook(deploy, { inventory, extraVars: { tag: "v2" }, check: true });
      expect(check.plays.flatMap((p) => p.results).find((r) => r.task === "deploy.releasePlan")?.message).toMatch(
        /start app beside the running one, gate it, switch nginx upstream demo_app, drain 4s, stop the old one, then compose up \(stop-start for the services nginx does not front\)/,
      );
    },
    SLOW,
  );

  test(
    "a good deploy v1 → v2: no request fails, the version changes exactly once, one app container is left",
    async () => {
      const { report, counts } = await probed("v1 → v2", { tag: "v2" });
      expect(report.hostErrors).toEqual({});
      expect(counts.rate).toBeGreaterThanOrEqual(15); // the probe really asked often (20/s scheduled)
      expect(counts.failures).toEqual([]);
      expect(counts.sequence).toEqual(["v1", "v2"]);
      expect((await appContainers()).split("\n").filter(Boolean)).toHaveLength(1);
      expect(await lockFree()).toBe(true);
    },
    SLOW,
  );

  test(
    "a deploy of broken: its container fails the gate and is removed without ever answering; exit 2, v2 serves throughout",
    async () => {
      const p = probe();
      await new Promise((r) => setTimeout(r, 1000));
      const { code, out } = await cli(["--tag", "broken"]).done;
      const counts = await p.stop();
      figures.broken = counts;
      expect(code).toBe(2);
      expect(out).toMatch(/Cannot deploy broken: app is not ready: .*its new container was removed: it never served/);
      expect(counts.failures).toEqual([]);
      expect(counts.byVersion.broken).toBeUndefined();
      expect(counts.sequence).toEqual(["v2"]);
      expect(await sh(`grep '^TAG=' ${APP}/deploy.env`)).toBe("TAG=v2\n");
      expect(await appVersions()).toEqual(["v2"]);
      expect(await lockFree()).toBe(true);
    },
    SLOW,
  );

  test(
    "--rollback (v2 → v1): no request fails, one version change",
    async () => {
      const { report, counts } = await probed("rollback v2 → v1", { rollback: true });
      expect(report.hostErrors).toEqual({});
      expect(counts.failures).toEqual([]);
      expect(counts.sequence).toEqual(["v2", "v1"]);
    },
    SLOW,
  );

  test(
    "Ctrl-C (SIGINT to the process group, twice at once as npx relays it) during broken's readiness wait: v1 keeps serving, the lock is free, the next deploy starts at once",
    async () => {
      const p = probe();
      const c = cli(["--tag", "broken", "-e", "lock_wait=0"]);
      const { child, done } = c;
      await whileRunning(c, "broken's container beside the running one", async () => (await appVersions()).includes("broken"));
      process.kill(-child.pid!, "SIGINT");
      const { code, out } = await done;
      const counts = await p.stop();
      figures["SIGINT during broken's gate"] = counts;
      expect(code).not.toBe(0);
      expect(out).toMatch(/interrupted/);
      expect(counts.failures).toEqual([]);
      expect(counts.sequence).toEqual(["v1"]);
      expect(await lockFree()).toBe(true);
      expect(await appVersions()).toEqual(["v1"]);
      expect(await sh(`grep '^TAG=' ${APP}/deploy.env`)).toBe("TAG=v1\n");
      // A new deploy takes the lock without waiting (lock_wait is 0).
      const next = await run({ tag: "v1" });
      expect(next.hostErrors).toEqual({});
      expect(next.plays.flatMap((r) => r.results).find((r) => r.task === "deploy.takeLock")?.message).toBe("took the deploy lock");
    },
    SLOW,
  );

  test(
    "Ctrl-C right after a good switch (v1 → v2, during the drain): the upstream goes back to v1, no request fails, the lock is free",
    async () => {
      const before = await upstream();
      const p = probe();
      await new Promise((r) => setTimeout(r, 500));
      const c = cli(["--tag", "v2", "-e", "drain_seconds=20"]);
      const { child, done } = c;
      // The switch: new connections to v1's container are refused, so nginx sends them to its backup, v2.
      await whileRunning(c, "the switch to v2", async () => (await sh("iptables -S OUTPUT")).includes("bosun:demo_app"));
      process.kill(-child.pid!, "SIGINT");
      const { code, out } = await done;
      await new Promise((r) => setTimeout(r, 1000));
      const counts = await p.stop();
      figures["SIGINT after the switch"] = counts;
      expect(code).not.toBe(0);
      expect(out).toMatch(/Rolled back to v1: it is ready again/);
      expect(counts.failures).toEqual([]);
      expect(counts.sequence).toEqual(["v1", "v2", "v1"]);
      expect(await upstream()).toContain(/server (\S+) /.exec(before)![1]!);
      expect(await sh("iptables -S OUTPUT | grep -c bosun: || true")).toBe("0\n");
      expect(await lockFree()).toBe(true);
      expect(await sh(`grep '^TAG=' ${APP}/deploy.env`)).toBe("TAG=v1\n");
    },
    SLOW,
  );

  test(
    "kill -9 of the controller while it holds the lock: the lock is free within 5 s of the SSH connection dropping",
    async () => {
      const c = cli(["--tag", "broken"]);
      const { child, done } = c;
      await whileRunning(c, "broken's container beside the running one", async () => (await appVersions()).includes("broken"));
      expect(await lockFree()).toBe(false);
      process.kill(-child.pid!, "SIGKILL");
      await done;
      const killed = Date.now();
      await until("the lock to be free", lockFree, 5);
      expect(Date.now() - killed).toBeLessThan(5000);
      // The next deploy replaces what the dead one left beside v1 (the broken container) and serves v1.
      const next = await run({ tag: "v1" });
      expect(next.hostErrors).toEqual({});
    },
    SLOW,
  );

  test(
    "a moving tag dev re-pushed three times: each deploy pins its digest, --rollback returns to the previous digest, prune removes only what no release recorded",
    async () => {
      const version = () => sh(`curl -sk --resolve ${labFqdn(host)}:443:127.0.0.1 https://${labFqdn(host)}/version`);
      const digests: string[] = [];
      for (const n of [1, 2, 3]) {
        await pushAppTag("dev", { APP_VERSION: `dev-${n}` });
        const report = await run({ tag: "dev" });
        expect(report.hostErrors).toEqual({});
        expect(await version()).toBe(`dev-${n}\n`);
        const images = (await history()).pop()!.images as Record<string, string>;
        expect(images.app).toMatch(/^registry\.lab\.test:5000\/demo\/app@sha256:[0-9a-f]{64}$/);
        expect(await sh(`cat ${APP}/deploy.images.yaml`)).toContain(images.app);
        digests.push(images.app!);
      }
      expect(new Set(digests).size).toBe(3);
      const back = await run({ rollback: true });
      expect(back.hostErrors).toEqual({});
      expect(await version()).toBe("dev-2\n");
      expect((await history()).pop()).toMatchObject({ tag: "dev", action: "rollback", result: "success", images: { app: digests[1] } });
      // A dev pushed twice more and pulled by hand, never released: its image is untagged and no record names it.
      const repo = "registry.lab.test:5000/demo/app";
      await pushAppTag("dev", { APP_VERSION: "dev-4" });
      await sh(`docker pull -q ${repo}:dev >/dev/null`);
      const unreleased = (await sh(`docker image inspect -f '{{index .RepoDigests 0}}' ${repo}:dev`)).trim();
      await pushAppTag("dev", { APP_VERSION: "dev-5" });
      await sh(`docker pull -q ${repo}:dev >/dev/null`);
      const listed = async () =>
        (await sh(`docker image ls --digests --format '{{.Tag}} {{.Digest}}' ${repo}`)).split("\n").filter(Boolean);
      expect((await listed()).some((l) => unreleased.endsWith(l.split(" ")[1]!) && l.startsWith("<none>"))).toBe(true);
      const again = await run({ tag: "v1" });
      expect(again.hostErrors).toEqual({});
      const prune = again.plays.flatMap((p) => p.results).find((r) => r.task === "docker.imagePrune");
      expect(prune?.message).toContain(unreleased);
      const left = (await listed()).map((l) => l.split(" ")[1]);
      for (const d of digests) expect(left).toContain(d.split("@")[1]);
      expect(left).not.toContain(unreleased.split("@")[1]!);
    },
    SLOW,
  );

  test(
    "a release whose worker exits 1 fails the deploy and rolls back: the previous release serves again, every service runs",
    async () => {
      const { report, counts } = await probed("crashing worker", { tag: "crashy" });
      expect(report.exitCode).toBe(2);
      expect(report.hostErrors[host.name]).toMatch(
        /cannot keep every service of crashy up: worker .*Rolled back to v1: it is ready again/s,
      );
      expect(counts.failures).toEqual([]);
      expect(counts.sequence[0]).toBe("v1");
      expect(counts.sequence[counts.sequence.length - 1]).toBe("v1");
      expect(await sh("docker ps --format '{{.Names}} {{.Status}}' | sort")).not.toMatch(/Restarting/);
      expect((await history()).pop()).toMatchObject({ tag: "crashy", result: "failed", rolledBackTo: "v1", rollbackResult: "success" });
    },
    SLOW,
  );

  test(
    "--promote-from staging: production runs exactly staging's digest (not what the moving tag names since), no request fails, one version change; a second promote changes nothing",
    async () => {
      // Staging runs rc (rc-1, pinned by digest); then rc is re-pushed (rc-2): the tag no longer names staging's release.
      await pushAppTag("rc", { APP_VERSION: "rc-1" });
      const staged = await runPlaybook(deploy, { inventory: staging, extraVars: { tag: "rc" } });
      expect(staged.hostErrors).toEqual({});
      const stagingImages = await appImages(stagingHost);
      expect(stagingImages).toEqual([expect.stringMatching(/^registry\.lab\.test:5000\/demo\/app@sha256:[0-9a-f]{64}$/)]);
      const [digest] = stagingImages as [string];
      expect((await history(stagingHost)).pop()).toMatchObject({ tag: "rc", result: "success", images: { app: digest } });
      await pushAppTag("rc", { APP_VERSION: "rc-2" });
      expect(await appVersions()).toEqual(["v1"]); // production runs an older release

      const { report, counts } = await probed("promote v1 → rc-1 (staging's digest)", { "promote-from": stagingFile });
      expect(report.hostErrors).toEqual({});
      expect(results(report).find((r) => r.task === "deploy.readPromotionSource")?.message).toBe(
        `${stagingFile} runs rc (${stagingHost.name})`,
      );
      expect(counts.failures).toEqual([]);
      expect(counts.sequence).toEqual(["v1", "rc-1"]);
      expect(await appImages()).toEqual([digest]);
      expect(await appVersions()).toEqual(["rc-1"]);
      expect((await history()).pop()).toMatchObject({
        tag: "rc",
        action: "promote",
        from: stagingFile,
        result: "success",
        images: { app: digest },
      });
      expect(await lockFree()).toBe(true);

      const recorded = (await history()).length;
      const again = await run({ "promote-from": stagingFile });
      expect(again.hostErrors).toEqual({});
      expect(
        results(again)
          .filter((r) => r.changed)
          .map((r) => r.title),
      ).toEqual([]);
      expect(again.stats[host.name]).toMatchObject({ changed: 0, failed: 0 });
      expect((await history()).length).toBe(recorded);
      expect(await appImages()).toEqual([digest]);
    },
    SLOW,
  );
});
