/**
 * A 15-task play on a real lab host: the first run changes, the second changes nothing and costs
 * at most one remote command per task (counted by the runner), and --check afterwards agrees.
 */
import { playbook } from "../../lib/run/playbook.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { sh } from "../../lib/core/command.js";
import { ensureDir, ensureFile, lineInFile, blockInFile, symlink, ensureAbsent } from "../../lib/tasks/files/index.js";
import { ensureGroup, ensureUser, sudoers } from "../../lib/tasks/access/index.js";
import { command } from "../../lib/tasks/command.js";
import { labHostInventory, useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-noop", count: 1 });

const TASKS = 15;
const book = playbook({
  name: "fifteen",
  hosts: "all",
  async run(host) {
    await host.run(ensureGroup({ name: "app" }));
    await host.run(ensureUser({ name: "app", group: "app", shell: "/bin/sh" }));
    await host.run(sudoers({ name: "app", user: "app", nopasswd: true, commands: "/usr/bin/systemctl" }));
    await host.run(ensureDir({ path: "/srv/app", owner: "app", mode: "0750" }));
    await host.run(ensureDir({ path: "/srv/app/releases" }));
    await host.run(ensureDir({ path: "/srv/app/shared", mode: "0755" }));
    await host.run(ensureDir({ path: "/srv/app/logs", owner: "app" }));
    await host.run(ensureFile({ path: "/srv/app/app.conf", content: "port=8080\nlevel=info\n", mode: "0640" }));
    await host.run(ensureFile({ path: "/srv/app/shared/.env", content: "A=1\n", mode: "0600" }));
    await host.run(lineInFile({ path: "/srv/app/tuning.conf", regexp: "^level=", line: "level=debug", create: true }));
    await host.run(blockInFile({ path: "/srv/app/tuning.conf", block: "x=1\ny=2" }));
    await host.run(symlink({ src: "/srv/app/releases", dest: "/srv/app/current" }));
    await host.run(ensureAbsent({ path: "/srv/app/old.conf" }));
    await host.run(ensureFile({ path: "/etc/motd", content: "managed by bosun\n" }));
    await host.run(command({ cmd: sh`test -d /srv/app`, readOnly: true }));
  },
});

test("a no-op re-run of a 15-task play costs at most one remote command per task, with zero changes", async () => {
  const h = lab().hosts[0];
  if (!h) throw new Error("no lab host");
  const inventory = labHostInventory(lab());
  const first = await runPlaybook(book, { inventory });
  expect(first.hostErrors).toEqual({});
  expect(first.stats[h.name]?.changed).toBeGreaterThanOrEqual(TASKS - 3);
  const second = await runPlaybook(book, { inventory });
  const stats = second.stats[h.name];
  expect(stats).toMatchObject({ ok: TASKS, changed: 0, failed: 0 });
  expect(stats?.commands).toBeLessThanOrEqual(TASKS);
  const checked = await runPlaybook(book, { inventory, check: true });
  expect(checked.stats[h.name]).toMatchObject({ changed: 0, failed: 0 });
});
