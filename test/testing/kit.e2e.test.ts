/** The test kit (`bosun/testing`) on a real lab host: each assertion passes when it should and fails when it should. */
import { sh } from "../../lib/core/command.js";
import { changed, defineTask, unchanged } from "../../lib/core/task.js";
import { playbook } from "../../lib/run/playbook.js";
import { ensureDir, ensureFile } from "../../lib/tasks/files/index.js";
import { command } from "../../lib/tasks/command.js";
import { assertCheckClean, assertConverges, assertIdempotent, startLab, type Lab } from "../../lib/testing/index.js";
import { sshExec } from "../e2e/lab-fixture.js";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ name: "t-kit" });
}, 300_000);
afterAll(async () => {
  await lab?.down();
}, 120_000);
const target = () => ({ inventory: lab.inventory, host: "t-kit1" });

const converging = playbook({
  name: "kit-converging",
  hosts: "all",
  async run(host) {
    await host.run(ensureDir({ path: "/srv/kit", mode: "0750" }));
    await host.run(ensureFile({ path: "/srv/kit/hello", content: "hello\n" }));
  },
});

test("assertCheckClean passes for a playbook that only plans under --check, and the host is untouched", async () => {
  const report = await assertCheckClean(converging, target());
  expect(report.plays[0]?.results.filter((r) => r.changed)).toHaveLength(2);
  const r = await sshExec(lab.hosts[0]!, "test -e /srv/kit", { allowFailure: true });
  expect(r.code).toBe(1);
});

test("assertIdempotent applies twice and sees zero changes on the run that followed the first", async () => {
  const { first, second } = await assertIdempotent(converging, target());
  expect(first.stats["t-kit1"]?.changed).toBe(2);
  expect(second.stats["t-kit1"]?.changed).toBe(0);
  expect((await sshExec(lab.hosts[0]!, "cat /srv/kit/hello")).stdout).toBe("hello\n");
});

test("assertIdempotent fails, naming the task, when the second run changes something", async () => {
  const restless = playbook({
    name: "kit-restless",
    hosts: "all",
    async run(host) {
      await host.run(command({ cmd: sh`date +%s%N > /srv/kit/stamp` }));
    },
  });
  await expect(assertIdempotent(restless, target())).rejects.toThrow(
    /not idempotent: the second run changed 1 task\(s\):\n\s+command\.run/,
  );
});

test("assertCheckClean fails, naming the file, when a check writes to the host", async () => {
  const lying = defineTask<{ path: string }>({
    id: "test.lying",
    title: (p) => `lying ${p.path}`,
    async check(host, p) {
      await host.exec(sh`echo checked >> ${p.path}`); // a check must only read: this one does not
      return unchanged();
    },
  });
  const book = playbook({
    name: "kit-lying",
    hosts: "all",
    async run(host) {
      await host.run(lying({ path: "/srv/kit-lie" }));
    },
  });
  await expect(assertCheckClean(book, target())).rejects.toThrow(/--check touched the host:[^]*\n\s+\+ \/srv\/kit-lie$/);
});

test("assertConverges applies a task and then finds nothing to change; a task that never converges fails", async () => {
  await assertConverges(ensureDir({ path: "/srv/kit-converges", mode: "0700" }), target());
  expect((await sshExec(lab.hosts[0]!, "stat -c %a /srv/kit-converges")).stdout.trim()).toBe("700");
  const never = defineTask<Record<string, never>>({
    id: "test.never",
    title: () => "never converges",
    async check() {
      return changed([sh`true`]);
    },
  });
  await expect(assertConverges(never({}), target())).rejects.toThrow(/test\.never does not converge/);
});
