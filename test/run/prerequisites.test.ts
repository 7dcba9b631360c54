/** The runner settles a plan's prerequisites: the task fails when applying, and --check notes what an earlier task must provide. */
import { sh } from "../../lib/core/command.js";
import { defineTask, changed } from "../../lib/core/task.js";
import { params, str } from "../../lib/core/params.js";
import { command } from "../../lib/tasks/command.js";
import { fakeHost } from "../support/host.js";

/** A task whose probe says whether directory /srv exists, and that writes into it. */
const writeInSrv = defineTask<{ value: string }>({
  id: "test.writeInSrv",
  title: () => "write /srv/x",
  schema: params({ value: str }),
  async check(host, p) {
    const r = await host.exec(sh`test -d /srv && echo yes`);
    const needs =
      r.stdout.trim() === "yes"
        ? []
        : [{ doing: `Cannot write "/srv/x"`, missing: `directory "/srv" does not exist`, hint: "create it first with ensureDir" }];
    return changed([sh`write ${p.value}`], { message: "write /srv/x", needs });
  },
});

describe("prerequisites", () => {
  test("applying fails on a missing prerequisite with its message and hint, before any step runs", async () => {
    const { host, connection } = fakeHost({ respond: () => ({ stdout: "" }) });
    await expect(host.run(writeInSrv({ value: "v" }))).rejects.toThrow(
      /Cannot write "\/srv\/x": directory "\/srv" does not exist\n {2}hint: create it first with ensureDir/,
    );
    expect(connection.executed.map((e) => e.text)).toEqual(["test -d /srv && echo yes"]);
  });

  test("--check plans the change and notes the prerequisite an earlier task of the run must provide", async () => {
    const { host } = fakeHost({ check: true, respond: () => ({ stdout: "" }) });
    const r = await host.run(writeInSrv({ value: "v" }));
    expect(r).toMatchObject({
      status: "changed",
      failed: false,
      message: 'write /srv/x; directory "/srv" does not exist yet, so applying fails unless an earlier task of this run provides it',
    });
  });

  test("a prerequisite that is there changes nothing in either mode", async () => {
    for (const check of [false, true]) {
      const { host } = fakeHost({ check, respond: () => ({ stdout: "yes\n" }) });
      expect(await host.run(writeInSrv({ value: "v" }))).toMatchObject({ status: "changed", message: "write /srv/x" });
    }
  });
});

describe("read-only command results", () => {
  test("a readOnly command's result carries stdout, stderr and rc like an applied one, in check mode too", async () => {
    for (const check of [false, true]) {
      const { host } = fakeHost({ check, respond: () => ({ stdout: "[]\n", stderr: "warn\n", code: 0 }) });
      const r = await host.run(command({ cmd: sh`docker compose ps --format json`, readOnly: true }));
      expect(r).toMatchObject({ status: "ok", stdout: "[]\n", stderr: "warn\n", rc: 0 });
    }
  });
});
