import { sh } from "../../lib/core/command.js";
import { defineTask, changed, unchanged, type TaskResult } from "../../lib/core/task.js";
import { params, str } from "../../lib/core/params.js";
import { TaskFailedError, mergeCommandSteps } from "../../lib/run/host.js";
import { ParamsError } from "../../lib/core/errors.js";
import { fakeHost } from "../support/host.js";

/** A task that reads `cat STATE` and writes it when it differs. */
const setState = defineTask<{ value: string }>({
  id: "test.setState",
  title: (p) => `state ${p.value}`,
  schema: params({ value: str }),
  async check(host, p) {
    const r = await host.exec(sh`cat /state`);
    if (r.stdout === p.value) return unchanged("same");
    return changed([sh`write ${p.value}`, sh`sync`], { diff: { label: "/state", before: r.stdout, after: p.value } });
  },
});

describe("Host.run", () => {
  test("Host.run applies the plan: one command to check, merged steps to apply", async () => {
    const { host, connection } = fakeHost({ respond: () => ({ stdout: "old" }) });
    const r = await host.run(setState({ value: "new" }));
    expect(r.status).toBe("changed");
    expect(r.commands).toBe(2);
    expect(connection.executed[1]?.text).toContain("write new");
    expect(connection.executed[1]?.text).toContain("sync");
  });

  test("Host.run in check mode reports changed and never runs the steps", async () => {
    const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout: "old" }) });
    const r = await host.run(setState({ value: "new" }));
    expect(r.status).toBe("changed");
    expect(connection.executed.map((e) => e.text)).toEqual(["cat /state"]);
  });

  test("Host.run reports ok when nothing differs, at the cost of one command", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: "same" }) });
    const r = await host.run(setState({ value: "same" }));
    expect(r).toMatchObject({ status: "ok", changed: false, commands: 1 });
  });

  test("Host.run renders a diff only with --diff", async () => {
    const withDiff = await fakeHost({ diff: true, respond: () => ({ stdout: "a\n" }) }).host.run(setState({ value: "b\n" }));
    expect(withDiff.diff).toContain("-a");
    expect(withDiff.diff).toContain("+b");
    const without = await fakeHost({ respond: () => ({ stdout: "a\n" }) }).host.run(setState({ value: "b\n" }));
    expect(without.diff).toBeUndefined();
  });

  test("a failing step fails the task with the command's stderr and throws TaskFailedError", async () => {
    const { host } = fakeHost({ respond: (t) => (t.startsWith("cat") ? { stdout: "x" } : { code: 3, stderr: "disk full" }) });
    await expect(host.run(setState({ value: "y" }))).rejects.toThrow(TaskFailedError);
    expect(host.results[0]).toMatchObject({ status: "failed", rc: 3 });
    expect(host.results[0]?.message).toContain("disk full");
  });

  test("ignoreErrors reports the failure and lets the play go on", async () => {
    const { host } = fakeHost({ respond: (t) => (t.startsWith("cat") ? { stdout: "x" } : { code: 1 }) });
    const r = await host.run(setState({ value: "y", ignoreErrors: true }));
    expect(r).toMatchObject({ failed: true, ignored: true });
  });

  test("retries re-run a failing task until it succeeds", async () => {
    let calls = 0;
    const { host } = fakeHost({ respond: (t) => (t.startsWith("cat") ? { code: 0, stdout: "x" } : { code: ++calls < 3 ? 1 : 0 }) });
    const r = await host.run(setState({ value: "y", retries: 5, delay: 0 }));
    expect(r).toMatchObject({ status: "changed", attempts: 3 });
  });

  test("until fails the task when the condition never holds", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: "x" }) });
    const r = await host.run(setState({ value: "x", retries: 2, delay: 0, until: (res: TaskResult) => res.changed, ignoreErrors: true }));
    expect(r).toMatchObject({ failed: true, attempts: 3 });
    expect(r.message).toMatch(/condition not met after 3/);
  });

  test("tags: a task without a selected tag is skipped and runs nothing", async () => {
    const { host, connection } = fakeHost({ tags: ["web"] });
    const r = await host.run(setState({ value: "x", tags: ["db"] }));
    expect(r.status).toBe("skipped");
    expect(connection.executed).toHaveLength(0);
  });

  test("skip-tags wins over tags, and `always` runs unless skipped explicitly", async () => {
    const { host } = fakeHost({ tags: ["web"], skipTags: ["slow"], respond: () => ({ stdout: "x" }) });
    expect((await host.run(setState({ value: "x", tags: ["web", "slow"] }))).status).toBe("skipped");
    expect((await host.run(setState({ value: "x", tags: ["always"] }))).status).toBe("ok");
  });

  test("notify runs a handler once at flush, only when the task changed", async () => {
    let restarts = 0;
    const handlers = { "restart app": async () => void restarts++ };
    const { host } = fakeHost({ handlers, respond: () => ({ stdout: "old" }) });
    await host.run(setState({ value: "new", notify: "restart app" }));
    await host.run(setState({ value: "new2", notify: "restart app" }));
    await host.flushHandlers();
    await host.flushHandlers();
    expect(restarts).toBe(1);
  });

  test("notify names an unknown handler: a clear error listing the known ones", async () => {
    const { host } = fakeHost({ handlers: { a: async () => undefined }, respond: () => ({ stdout: "old" }) });
    await expect(host.run(setState({ value: "new", notify: "b" }))).rejects.toThrow(/Cannot notify handler "b": the play defines "a"/);
  });

  test("bad params are rejected when the task is declared, naming the task and the parameter", () => {
    expect(() => setState({ value: 5 as unknown as string })).toThrow(ParamsError);
    expect(() => setState({ value: "x", bogus: 1 } as never)).toThrow(/test\.setState: unknown parameter "bogus"/);
  });

  test("a secret task hides output and diffs", async () => {
    const { host } = fakeHost({ diff: true, respond: () => ({ stdout: "old" }) });
    const r = await host.run(setState({ value: "new", secret: true }));
    expect(r.diff).toBeUndefined();
    expect(r.stdout).toBeUndefined();
  });

  test("sudo with NOPASSWD wraps commands in sudo -n", async () => {
    const { host, connection } = fakeHost({ user: "deploy", become: { enabled: true }, respond: () => ({ stdout: "same" }) });
    await host.run(setState({ value: "same" }));
    expect(connection.executed[0]?.text).toMatch(/^sudo -n -H -- sh -c 'cat \/state'$/);
  });

  test("sudo with a password probes once, then sends the password on stdin, never in argv", async () => {
    const { host, connection } = fakeHost({
      user: "deploy",
      become: { enabled: true, password: "pw-on-stdin-9" },
      respond: (t) => (t.startsWith("sudo -n true") ? { code: 1 } : { stdout: "same" }),
    });
    await host.run(setState({ value: "same" }));
    await host.run(setState({ value: "same" }));
    const texts = connection.executed.map((e) => e.text);
    expect(texts.filter((t) => t.startsWith("sudo -n true"))).toHaveLength(1);
    expect(texts.some((t) => t.includes("pw-on-stdin-9"))).toBe(false);
    expect(connection.executed[1]?.stdin).toBe("pw-on-stdin-9\n");
  });

  test("a sudo refusal becomes a clear error with a hint", async () => {
    const { host } = fakeHost({
      user: "deploy",
      become: { enabled: true },
      respond: () => ({ code: 1, stderr: "sudo: a password is required\n" }),
    });
    await expect(host.run(setState({ value: "x" }))).rejects.toThrow(/a password is required/);
  });
});

describe("mergeCommandSteps", () => {
  test("mergeCommandSteps joins stdin-less commands and keeps stdin commands apart", () => {
    const merged = mergeCommandSteps([sh`a`, sh`b`, { text: "c", stdin: "x" }, sh`d`]);
    expect(merged).toHaveLength(3);
    expect((merged[0] as { text: string }).text).toBe("{ a\n} && { b\n}");
  });
});

describe("finish", () => {
  const judged = defineTask<{ ok: boolean }>({
    id: "test.judged",
    title: () => "judged",
    async check() {
      return changed([sh`run`], { finish: (_results, host) => (host.name === "h1" ? {} : {}) });
    },
  });
  const failing = defineTask<Record<string, never>>({
    id: "test.failing",
    title: () => "failing",
    async check() {
      return changed([sh`run`], { finish: () => ({ failed: "exit code 3 means the migration failed" }) });
    },
  });

  test("finish sees the host and can leave the result changed", async () => {
    const { host } = fakeHost();
    expect((await host.run(judged({ ok: true }))).status).toBe("changed");
  });

  test("finish can fail the task with a reason", async () => {
    const { host } = fakeHost();
    await expect(host.run(failing({}))).rejects.toThrow(/migration failed/);
    expect(host.results[0]).toMatchObject({ status: "failed", failed: true });
  });
});
