/** command on a lab host over real SSH. */
import { sh, withStdin } from "../../lib/core/command.js";
import { secret } from "../../lib/core/secrets.js";
import { command } from "../../lib/tasks/command.js";
import { useLab } from "../e2e/lab-fixture.js";
import { expectConverges, TaskRunner } from "../e2e/task-harness.js";
import { describePath, expectNoCanary, HOSTILE, labTarget, q, readRemote, recordWire, shOk, closePlainSsh } from "./files/e2e-support.js";

const lab = useLab({ name: "t-command" });
let runner: TaskRunner;
beforeAll(() => {
  runner = new TaskRunner(labTarget(lab()));
  shOk(runner, "mkdir -p /tmp/t/cmd");
});
afterAll(async () => {
  if (runner) closePlainSsh(runner);
  await runner?.close();
});

const ARGS = [HOSTILE, "-n", "--help", "$HOME", "*", "", "a\nb", "it's"];
const state = (file: string) => () => {
  const what = describePath(runner, file);
  return what === "absent\n" ? what : `${what}${readRemote(runner, file).toString()}`;
};

describe("command() on a lab host", () => {
  test("command() with creates runs once, converges, and passes hostile argv literally", async () => {
    const out = "/tmp/t/cmd/args";
    const call = command({ cmd: ["sh", "-c", 'printf "[%s]" "$@" > /tmp/t/cmd/args', "sh", ...ARGS], creates: out });
    const { again } = await expectConverges(runner, call, state(out));
    expect(readRemote(runner, out).toString()).toBe(ARGS.map((a) => `[${a}]`).join(""));
    expect(again.message).toBe(`not run: ${out} exists`);
    expectNoCanary(runner);
  });

  test("command() with removes runs only while the path exists", async () => {
    shOk(runner, "touch /tmp/t/cmd/stale.lock");
    await expectConverges(
      runner,
      command({ cmd: sh`rm -- /tmp/t/cmd/stale.lock`, removes: "/tmp/t/cmd/stale.lock" }),
      state("/tmp/t/cmd/stale.lock"),
    );
  });

  test("command() with unless is honest in check mode and idempotent", async () => {
    const file = "/tmp/t/cmd/hosts";
    shOk(runner, `printf 'a\\n' > ${file}`);
    const call = command({ cmd: sh`echo 'db 10.0.0.2' >> ${file}`, unless: sh`grep -qx 'db 10.0.0.2' ${file}` });
    await expectConverges(runner, call, state(file));
    expect(readRemote(runner, file).toString()).toBe("a\ndb 10.0.0.2\n");
  });

  test("command() runs in a hostile cwd with quoted env values, and relative creates start there", async () => {
    const dir = `/tmp/t/cmd/${HOSTILE}`;
    shOk(runner, `mkdir -p -- ${q(dir)}`);
    const call = command({ cmd: sh`printf '%s|%s' "$(pwd)" "$GREETING" > out`, cwd: dir, env: { GREETING: HOSTILE }, creates: "out" });
    await expectConverges(runner, call, state(`${dir}/out`));
    expect(readRemote(runner, `${dir}/out`).toString()).toBe(`${dir}|${HOSTILE}`);
    expectNoCanary(runner);
  });

  test("command() without guards reports changed in check mode, runs nothing, then always runs", async () => {
    const file = "/tmp/t/cmd/counter";
    shOk(runner, `rm -f ${file}`);
    const call = command({ cmd: sh`echo run >> ${file}` });
    const checked = await runner.run(call, { check: true });
    expect([checked.status, checked.commands]).toEqual(["changed", 0]);
    expect(describePath(runner, file)).toBe("absent\n");
    const first = await runner.run(call);
    const second = await runner.run(call);
    expect([first.status, first.commands, second.status, second.commands]).toEqual(["changed", 1, "changed", 1]);
    expect(readRemote(runner, file).toString()).toBe("run\nrun\n");
  });

  test("command() returns the typed output and feeds a secret on stdin without logging it", async () => {
    const value = "cmd-5ecr3t-stdin-value";
    const wire = recordWire(runner);
    const r = await runner.run(command({ cmd: sh`sha256sum; echo to-stderr >&2`, stdin: secret(value) }));
    const expected = shOk(runner, "sha256sum", value);
    expect(r.output).toEqual({ stdout: expected, stderr: "to-stderr\n", rc: 0 });
    expect(r.stdout).toBe(expected);
    expect(JSON.stringify([r, runner.commands])).not.toContain(value);
    expect(wire).toHaveLength(1);
    expect(wire[0]).not.toContain(value);
  });

  test("command() fails with the exit status and stderr of a failing command", async () => {
    const r = await runner.run(command({ cmd: sh`echo broken >&2; exit 3` }));
    expect(r.failed).toBe(true);
    expect(r.rc).toBe(3);
    expect(r.message).toContain("exit 3");
    expect(r.message).toContain("broken");
  });

  test("command() lets changedWhen and failedWhen judge the output", async () => {
    const call = command({
      cmd: sh`echo 'nothing to migrate'; exit 1`,
      changedWhen: (o) => !o.stdout.includes("nothing to"),
      failedWhen: (o) => o.rc !== 0 && o.rc !== 1,
    });
    const r = await runner.run(call);
    expect([r.status, r.output]).toEqual(["ok", { stdout: "nothing to migrate\n", stderr: "", rc: 1 }]);
    const failed = await runner.run(command({ cmd: sh`echo ERROR: x >&2`, failedWhen: (o) => o.stderr.includes("ERROR") }));
    expect([failed.failed, failed.message]).toEqual([true, expect.stringContaining("Command failed (failedWhen, exit 0)")]);
  });

  test("command() with readOnly runs in check mode too and reports ok with the output", async () => {
    const r = await runner.run(command({ cmd: withStdin(sh`cat /etc/hostname; cat`, "in"), readOnly: true }), { check: true });
    expect([r.status, r.commands, r.output]).toEqual(["ok", 1, { stdout: `${lab().hosts[0]?.name}\nin`, stderr: "", rc: 0 }]);
  });
});
