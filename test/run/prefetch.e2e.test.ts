/**
 * Check prefetch on a real lab host over SSH and the shell session: the no-op re-run answers every
 * check from the one batch sent ahead, and a run after someone changed the host behind bosun's back
 * changes it back and leaves every later check live (verified with `docker exec`, not bosun's facts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sh } from "../../lib/core/command.js";
import { RunEvents } from "../../lib/core/events.js";
import { playbook } from "../../lib/run/playbook.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { ensureDir, ensureFile, lineInFile } from "../../lib/tasks/files/index.js";
import { ensureGroup, ensureUser } from "../../lib/tasks/access/index.js";
import { command } from "../../lib/tasks/command.js";
import { dockerExec, labHostInventory, useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-prefetch", count: 1 });

const book = playbook({
  name: "prefetch-e2e",
  hosts: "all",
  async run(host) {
    await host.run(ensureGroup({ name: "pf" }));
    await host.run(ensureUser({ name: "pf", group: "pf", shell: "/bin/sh" }));
    await host.run(ensureDir({ path: "/srv/pf", owner: "pf", mode: "0750" }));
    await host.run(ensureFile({ path: "/srv/pf/app.conf", content: "port=8080\n", mode: "0640" }));
    await host.run(lineInFile({ path: "/srv/pf/tuning.conf", regexp: "^level=", line: "level=debug", create: true }));
    await host.run(command({ cmd: sh`cat /srv/pf/app.conf`, readOnly: true }));
  },
});

let cacheDir: string;
beforeAll(() => (cacheDir = mkdtempSync(path.join(os.tmpdir(), "bosun-pf-e2e-"))));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

async function run() {
  const h = lab().hosts[0]!;
  const inventory = labHostInventory(lab());
  const events = new RunEvents();
  const commands: string[] = [];
  events.on("command", (e) => commands.push(e.text));
  const report = await runPlaybook(book, { inventory, events, prefetch: true, cacheDir });
  expect(report.hostErrors).toEqual({});
  return { report, stats: report.stats[h.name], commands, live: commands.filter((c) => !c.startsWith("(prefetched)")) };
}

test("a no-op re-run takes every check from the batch; a change behind bosun's back is put right and later checks go live", async () => {
  const container = lab().hosts[0]!.container;
  const first = await run();
  expect(first.stats?.changed).toBeGreaterThanOrEqual(5);
  const noop = await run();
  expect(noop.stats).toMatchObject({ ok: 6, changed: 0, failed: 0 });
  expect(noop.live).toEqual([]);
  expect(noop.commands.length).toBeGreaterThanOrEqual(6);

  await dockerExec(container, ["sh", "-c", "echo port=1 > /srv/pf/app.conf && sed -i s/level=debug/level=info/ /srv/pf/tuning.conf"]);
  const repair = await run();
  expect(repair.stats).toMatchObject({ changed: 2, failed: 0 });
  const probe = repair.report.plays[0]?.results.at(-1);
  expect((probe?.output as { stdout: string }).stdout).toBe("port=8080\n");
  // The four checks up to the first change (app.conf) came from the batch; everything from its write on ran live.
  const firstLive = repair.commands.findIndex((c) => !c.startsWith("(prefetched)"));
  expect(firstLive).toBe(4);
  expect(repair.commands[firstLive]).toContain("/srv/pf/app.conf");
  expect(repair.commands.slice(firstLive).some((c) => c.startsWith("(prefetched)"))).toBe(false);
  expect((await dockerExec(container, ["cat", "/srv/pf/app.conf", "/srv/pf/tuning.conf"])).stdout).toBe("port=8080\nlevel=debug\n");
  const again = await run();
  expect(again.stats).toMatchObject({ changed: 0 });
  expect(again.live).toEqual([]);
});
