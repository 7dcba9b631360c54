import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sh, stdinBytes, withStdin, type Command } from "../../lib/core/command.js";
import { secret } from "../../lib/core/secrets.js";
import { buildCommandLine, buildGuardCommand, command, type CommandParams } from "../../lib/tasks/command.js";
import { cannedHost, plan, stepTexts } from "./files/fake-task-host.js";

const HOSTILE = ["it's", "$(touch canary)", "`touch canary`", "a;touch canary", "line1\nline2", "-rf", "*", "ünï ✓", "$HOME", ""];

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "bosun-cmd-"));
  dir = path.join(root, "it's $(touch canary) -x ü *");
  mkdirSync(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(c: Command) {
  // controller-tools: sh cat grep ln
  const r = spawnSync("/bin/sh", ["-c", c.text], { input: stdinBytes(c), cwd: root, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const canaries = (): string[] => readdirSync(root).filter((f) => f.startsWith("canary"));

describe("buildCommandLine() run by this machine's /bin/sh", () => {
  test("buildCommandLine() passes every argv word literally", () => {
    const r = run(buildCommandLine({ cmd: ["printf", "[%s]", ...HOSTILE] }));
    expect(r.stdout).toBe(HOSTILE.map((h) => `[${h}]`).join(""));
    expect(canaries()).toEqual([]);
  });

  test("buildCommandLine() runs a sh`` command in cwd with quoted env values and stdin", () => {
    const r = run(
      buildCommandLine({
        cmd: sh`pwd; printf '%s|' "$A" "$B"; cat`,
        cwd: dir,
        env: { A: HOSTILE[1] as string, B: "x y" },
        stdin: "from stdin",
      }),
    );
    expect(r).toEqual({ code: 0, stdout: `${dir}\n$(touch canary)|x y|from stdin`, stderr: "" });
    expect(canaries()).toEqual([]);
  });

  test("buildCommandLine() keeps stdin attached to the command and puts a secret only there", () => {
    const c = buildCommandLine({ cmd: withStdin(sh`cat`, secret("hunter2-secret")) });
    expect(c.text).not.toContain("hunter2-secret");
    expect(run(c).stdout).toBe("hunter2-secret");
  });

  test("buildCommandLine() does not run the command when cwd does not exist", () => {
    const r = run(buildCommandLine({ cmd: sh`touch canary`, cwd: path.join(root, "missing") }));
    expect(r.code).not.toBe(0);
    expect(canaries()).toEqual([]);
  });
});

describe("buildGuardCommand() run by this machine's /bin/sh", () => {
  const verdict = (p: Omit<CommandParams, "cmd">): string => run(buildGuardCommand({ cmd: ["true"], ...p }) as Command).stdout;

  test("buildGuardCommand() is undefined without guards", () => {
    expect(buildGuardCommand({ cmd: ["true"], cwd: "/tmp" })).toBeUndefined();
  });

  test.each([
    ["creates exists", () => ({ creates: path.join(dir, "f") }), "creates\n"],
    ["creates is missing", () => ({ creates: path.join(dir, "nope") }), "run\n"],
    ["creates is a dangling link", () => ({ creates: path.join(dir, "dangling") }), "creates\n"],
    ["removes is missing", () => ({ removes: path.join(dir, "nope") }), "removes\n"],
    ["removes exists", () => ({ removes: path.join(dir, "f") }), "run\n"],
    ["unless exits 0", () => ({ unless: sh`test -e ${path.join(dir, "f")}` }), "unless\n"],
    ["unless exits 1, noisily", () => ({ unless: sh`echo noise; echo err >&2; false` }), "run\n"],
    ["unless reads its own stdin", () => ({ unless: withStdin(sh`grep -q yes`, "yes\n") }), "unless\n"],
    ["relative creates start at cwd", () => ({ cwd: dir, creates: "f" }), "creates\n"],
    ["cwd is missing", () => ({ cwd: path.join(dir, "missing"), creates: "f" }), "nocwd\n"],
    ["creates wins over unless", () => ({ creates: path.join(dir, "f"), unless: sh`false` }), "creates\n"],
  ] as const)("buildGuardCommand() says %s", (_name, params, expected) => {
    writeFileSync(path.join(dir, "f"), "");
    spawnSync("ln", ["-sf", "/nonexistent", path.join(dir, "dangling")]);
    expect(verdict(params())).toBe(expected);
  });

  test("buildGuardCommand() treats hostile guard paths literally", () => {
    expect(verdict({ creates: `${root}/$(touch canary)`, removes: `${root}/\`touch canary\`` })).toBe("removes\n");
    expect(canaries()).toEqual([]);
  });
});

describe("command() plans", () => {
  test("command() without guards reports changed in check mode without running anything", async () => {
    const host = cannedHost(undefined, { checkMode: true });
    const p = await plan(command({ cmd: ["make", "install"] }), host);
    expect(p).toMatchObject({ changed: true, message: "run make install (no creates/removes/unless guard: a bare command always runs)" });
    expect(host.executed).toEqual([]);
  });

  test("command() evaluates its guards in one check command and reports ok when one says skip", async () => {
    const host = cannedHost(undefined, { exec: () => ({ stdout: "creates\n" }) });
    expect(await plan(command({ cmd: ["make"], creates: "/opt/app" }), host)).toMatchObject({
      changed: false,
      message: "not run: /opt/app exists",
    });
    expect(host.executed).toHaveLength(1);
  });

  test("command() plans the run when the guards say run", async () => {
    const p = await plan(command({ cmd: ["make"], unless: sh`false` }), cannedHost(undefined, { exec: () => ({ stdout: "run\n" }) }));
    expect(stepTexts(p)).toEqual(["{ make\n}"]);
  });

  test("command() fails before running when cwd is missing, and only warns in check mode", async () => {
    const exec = () => ({ stdout: "nocwd\n" });
    await expect(plan(command({ cmd: ["make"], cwd: "/srv/x", creates: "out" }), cannedHost(undefined, { exec }))).rejects.toThrow(
      'directory "/srv/x" does not exist',
    );
    expect(
      (await plan(command({ cmd: ["make"], cwd: "/srv/x", creates: "out" }), cannedHost(undefined, { exec, checkMode: true }))).message,
    ).toMatch(/does not exist yet/);
  });

  test("command() finishes with the typed output of the run", async () => {
    const p = await plan(command({ cmd: ["echo", "hi"] }), cannedHost(undefined));
    if (!p.changed || !p.finish) throw new Error("expected a finishing plan");
    expect(p.finish([{ code: 0, stdout: "hi\n", stderr: "", durationMs: 1 }], cannedHost(undefined))).toEqual({
      output: { stdout: "hi\n", stderr: "", rc: 0 },
      message: "ran echo hi (exit 0)",
    });
  });

  test("command() judges changedWhen and failedWhen on the run's output in an action step", async () => {
    const host = cannedHost(undefined, { exec: () => ({ code: 1, stdout: "nothing to do\n" }) });
    const p = await plan(
      command({ cmd: ["migrate"], changedWhen: (r) => !/nothing to do/.test(r.stdout), failedWhen: (r) => r.rc !== 0 && r.rc !== 1 }),
      host,
    );
    if (!p.changed || !p.finish) throw new Error("expected a finishing plan");
    const step = p.steps[0] as { run(h: unknown): Promise<unknown> };
    const result = await step.run(host);
    expect(p.finish([result], host)).toMatchObject({ changed: false, output: { rc: 1, stdout: "nothing to do\n" } });
  });

  test("command() fails with stderr's last lines when failedWhen says so", async () => {
    const host = cannedHost(undefined, { exec: () => ({ code: 0, stdout: "", stderr: "ERROR: broken\n" }) });
    const p = await plan(command({ cmd: ["x"], failedWhen: (r) => r.stderr.includes("ERROR") }), host);
    const step = (p.changed ? p.steps[0] : undefined) as { run(h: unknown): Promise<unknown> };
    await expect(step.run(host)).rejects.toThrow("Command failed (failedWhen, exit 0): x\nERROR: broken");
  });

  test("command() with readOnly runs during the check, in check mode too, and reports ok with the output", async () => {
    const host = cannedHost(undefined, { checkMode: true, exec: () => ({ stdout: "[]\n" }) });
    const p = await plan(command({ cmd: sh`docker compose ps --format json`, readOnly: true }), host);
    expect(p).toMatchObject({ changed: false, output: { stdout: "[]\n", stderr: "", rc: 0 } });
    expect(host.executed).toHaveLength(1);
  });

  test("command() with readOnly fails when the probe fails", async () => {
    await expect(plan(command({ cmd: ["false"], readOnly: true }), cannedHost(undefined, { exec: () => ({ code: 3 }) }))).rejects.toThrow(
      "Command failed (exit 3): false",
    );
  });

  test.each([
    [{ cmd: [] }, /"cmd" must be a command built with sh/],
    [{ cmd: "ls -l" }, /"cmd" must be a command built with sh/],
    [{ cmd: ["ls"], unless: "test -e x" }, /"unless" must be a command/],
    [{ cmd: ["ls"], changedWhen: true }, /"changedWhen" must be a function/],
    [{ cmd: ["ls"], env: { "A-B": "x" } }, /invalid variable name "A-B"/],
    [{ cmd: ["ls"], env: { A: 1 } }, /parameter "env.A" must be string/],
    [{ cmd: ["ls"], readOnly: true, creates: "/x" }, /"creates" makes no sense with readOnly/],
    [{ cmd: withStdin(sh`cat`, "a"), stdin: "b" }, /conflicts with the stdin already attached/],
    [{ cmd: ["ls"], chdir: "/x" }, /unknown parameter "chdir"/],
  ])("command() rejects %j before anything runs, naming the task", (params, message) => {
    expect(() => command(params as never)).toThrow(/^Cannot use command\.run: /);
    expect(() => command(params as never)).toThrow(message);
  });

  test("command() refuses a registered secret as an environment value", () => {
    secret("very-secret-env-value");
    expect(() => command({ cmd: ["ls"], env: { TOKEN: "very-secret-env-value" } })).toThrow(/"env.TOKEN" holds a secret/);
  });
});
