/**
 * Kept connections on a real lab host over SSH: which run logs in (counted in the host's own sshd
 * log, not by bosun), which run leaves a keeper, and that a change, a dropped connection or the
 * idle time ends it. The suite turns keeping off for every other test (test/support/no-kept-connections.cjs);
 * these runs turn it on with bosun_ssh_persist, as an inventory would.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RunEvents } from "../../../lib/core/events.js";
import { playbook } from "../../../lib/run/playbook.js";
import { runPlaybook } from "../../../lib/run/runner.js";
import { ensureDir, ensureFile } from "../../../lib/tasks/files/index.js";
import { dockerExec, labHostInventory, useLab } from "../../e2e/lab-fixture.js";
import { readKeeperLog } from "../../../lib/connection/keeper/keeper-log.js";
import { keeperLog } from "../../../lib/connection/keeper/socket-path.js";

const lab = useLab({ name: "t-keeper", count: 2 });

const book = playbook({
  name: "keeper-e2e",
  hosts: "all",
  async run(host) {
    await host.run(ensureDir({ path: "/srv/kp" }));
    await host.run(ensureFile({ path: "/srv/kp/app.conf", content: "port=8080\n" }));
  },
});

let keeperDir: string;
beforeAll(() => {
  keeperDir = mkdtempSync(path.join(os.tmpdir(), "bosun-keeper-e2e-"));
  process.env.BOSUN_KEEPER_DIR = keeperDir;
});
afterAll(async () => {
  await endKeepers();
  delete process.env.BOSUN_KEEPER_DIR;
  rmSync(keeperDir, { recursive: true, force: true });
});

/** Logins sshd accepted on the host so far (its journal). */
async function logins(): Promise<number> {
  const out = await dockerExec(lab().hosts[0]!.container, [
    "sh",
    "-c",
    "journalctl -u ssh --no-pager | grep -c 'Accepted publickey' || true",
  ]);
  return Number(out.stdout.trim());
}

const sockets = () => readdirSync(keeperDir).filter((f) => f.endsWith(".sock"));
/** Hosts the keeper keeps now, and the pids of every keeper process that listened (its keeper.log). */
const keptHosts = () => readKeeperLog(keeperLog(keeperDir)).kept;
const keeperPids = () => readKeeperLog(keeperLog(keeperDir)).pids;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, condition: () => boolean | Promise<boolean>, seconds = 30): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await condition()) return;
    await sleep(100);
  }
  const logs = readdirSync(keeperDir)
    .filter((f) => f.endsWith(".log"))
    .map((f) => readFileSync(path.join(keeperDir, f), "utf8"));
  throw new Error(`timed out waiting until ${what}; keepers' logs:\n${logs.join("\n")}`);
}

async function endKeepers(): Promise<void> {
  for (const pid of keeperPids()) if (alive(pid)) process.kill(pid);
  await until("no keeper runs", () => keeperPids().every((p) => !alive(p)));
  for (const f of readdirSync(keeperDir)) rmSync(path.join(keeperDir, f), { force: true });
}

async function run(persist: number, hosts: readonly number[] = [0]) {
  const inventory = labHostInventory(lab(), { bosun_ssh_persist: persist }, hosts);
  const events = new RunEvents();
  const notes: string[] = [];
  events.on("log", (e) => notes.push(e.message));
  const report = await runPlaybook(book, { inventory, events });
  expect(report.hostErrors).toEqual({});
  const kept = notes.filter((n) => n.startsWith("connection: kept")).length;
  const changed = Object.values(report.stats).reduce((n, s) => n + s.changed, 0);
  return { changed, kept: kept > 0, keptHosts: kept };
}

test("a run that changes the host leaves no keeper; a no-op run leaves one; the next run needs no login; a change ends the keeper", async () => {
  await endKeepers();
  const before = await logins();
  const first = await run(30);
  expect(first).toMatchObject({ changed: 2, kept: false });
  await sleep(1500);
  expect(sockets()).toEqual([]);
  expect(await logins()).toBe(before + 1);

  const noop = await run(30);
  expect(noop).toMatchObject({ changed: 0, kept: false });
  await until("the keeper keeps the host", () => keptHosts() === 1);
  expect(await logins()).toBe(before + 3); // the no-op run's own login, then the keeper's

  const kept = await run(30);
  expect(kept).toMatchObject({ changed: 0, kept: true });
  expect(await logins()).toBe(before + 3);

  await dockerExec(lab().hosts[0]!.container, ["sh", "-c", "echo port=1 > /srv/kp/app.conf"]);
  const repair = await run(30);
  expect(repair).toMatchObject({ changed: 1, kept: true });
  await until("the keeper ended", () => sockets().length === 0 && keeperPids().every((p) => !alive(p)));
  expect((await dockerExec(lab().hosts[0]!.container, ["cat", "/srv/kp/app.conf"])).stdout).toBe("port=8080\n");

  const after = await run(30);
  expect(after).toMatchObject({ changed: 0, kept: false });
  expect(await logins()).toBe(before + 4);
  await until("that no-op run's keeper keeps the host", () => keptHosts() === 1); // its login must not fall into the next test
});

test("a keeper whose connection the host dropped is not used: the next run logs in again", async () => {
  await endKeepers();
  await run(30);
  await until("the keeper keeps the host", () => keptHosts() === 1);
  const pid = keeperPids()[0]!;
  // sshd's processes serving the keeper's login: the only session left on the host.
  await dockerExec(lab().hosts[0]!.container, ["sh", "-c", "pkill -f '^sshd: root@notty'"]);
  await until("the keeper noticed", () => !alive(pid));
  expect(existsSync(path.join(keeperDir, sockets()[0] ?? "none"))).toBe(false);
  const before = await logins();
  expect(await run(30)).toMatchObject({ changed: 0, kept: false });
  expect(await logins()).toBe(before + 1);
  await until("that no-op run's keeper keeps the host", () => keptHosts() === 1); // so that the next test can end it
});

test("one keeper process keeps several hosts; a host handed over later joins it; the next run uses both", async () => {
  await endKeepers();
  expect(await run(30, [0, 1])).toMatchObject({ changed: 2, keptHosts: 0 }); // the first run on the second host changes it
  await until("the keeper keeps the first host", () => keptHosts() === 1);
  expect(await run(30, [0, 1])).toMatchObject({ changed: 0, keptHosts: 1 });
  await until("the keeper keeps both hosts", () => keptHosts() === 2);
  expect(keeperPids()).toHaveLength(1); // the second host was handed to the keeper already running
  const next = await run(30, [0, 1]);
  expect(next).toMatchObject({ changed: 0, keptHosts: 2 });
});

test("a keeper ends after its idle time", async () => {
  await endKeepers();
  await run(2);
  await until("the keeper keeps the host", () => keptHosts() === 1);
  const pid = keeperPids()[0]!;
  await until("the keeper ended on its own", () => sockets().length === 0 && !alive(pid), 20);
});
