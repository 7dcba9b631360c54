/** One attempt of a task against a recording stand-in for its host: what is checked, applied and reported. */
import { sh, type Command } from "../../lib/core/command.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { params, str } from "../../lib/core/params.js";
import { changed, defineTask, type TaskHost } from "../../lib/core/task.js";
import { attemptTask, type AttemptHost } from "../../lib/run/task-attempt.js";

const write = defineTask<{ value: string }>({
  id: "test.write",
  title: (p) => `write ${p.value}`,
  schema: params({ value: str }),
  async check(host) {
    await host.exec(sh`cat /state`);
    return changed([sh`write it`], { diff: { label: "/state", before: "old", after: "new" } });
  },
});

function standIn(options: { checkMode?: boolean; code?: number } = {}): { host: AttemptHost; phases: string[] } {
  const phases: string[] = [];
  let commands = 0;
  let phase = "outside";
  const exec = async (c: Command): Promise<ExecResult> => {
    commands++;
    phases.push(`${phase}: ${c.text}`);
    return { code: c.text === "write it" ? (options.code ?? 0) : 0, stdout: "old", stderr: "", durationMs: 1 };
  };
  const taskHost = { name: "h", vars: {}, checkMode: !!options.checkMode, diffMode: true, exec } as unknown as TaskHost;
  const within =
    (name: string) =>
    async <T>(fn: () => Promise<T>): Promise<T> => {
      phase = name;
      try {
        return await fn();
      } finally {
        phase = "outside";
      }
    };
  const host: AttemptHost = {
    checkMode: !!options.checkMode,
    diffMode: true,
    commands: () => commands,
    taskHost,
    checking: within("checking"),
    applying: within("applying"),
    exec,
  };
  return { host, phases };
}

const base = { host: "h", task: "test.write", title: "write new" };

test("the check runs while checking, the steps while applying; the result counts both commands", async () => {
  const { host, phases } = standIn();
  const r = await attemptTask(host, { call: write({ value: "new" }), base, attempts: 1 });
  expect(phases).toEqual(["checking: cat /state", "applying: write it"]);
  expect(r).toMatchObject({ status: "changed", changed: true, commands: 2, attempts: 1 });
});

test("under --check nothing is applied and the plan's diff is reported", async () => {
  const { host, phases } = standIn({ checkMode: true });
  const r = await attemptTask(host, { call: write({ value: "new" }), base, attempts: 1 });
  expect(phases).toEqual(["checking: cat /state"]);
  expect(r).toMatchObject({ status: "changed", failed: false });
  expect(r.diff).toContain("new");
});

test("a failing step fails the attempt with its exit status", async () => {
  const { host } = standIn({ code: 3 });
  const r = await attemptTask(host, { call: write({ value: "new" }), base, attempts: 2 });
  expect(r).toMatchObject({ status: "failed", failed: true, rc: 3, attempts: 2 });
});
