import { service } from "../../../lib/tasks/services/service.js";
import { systemdUnit } from "../../../lib/tasks/services/systemd-unit.js";
import { systemdTimer, renderTimerUnits } from "../../../lib/tasks/services/systemd-timer.js";
import { unitActions } from "../../../lib/tasks/services/service-plan.js";
import { environmentLine, execWord, shellExecStart } from "../../../lib/tasks/services/unit-text.js";
import type { UnitState } from "../../../lib/facts/systemd.js";
import { fakeHost } from "../../support/host.js";

function unit(over: Partial<UnitState> = {}): UnitState {
  return {
    id: "app.service",
    loadState: "loaded",
    activeState: "inactive",
    subState: "dead",
    unitFileState: "disabled",
    mainPid: 0,
    canReload: false,
    needDaemonReload: false,
    fragmentPath: "/etc/systemd/system/app.service",
    activeEnterMonotonic: 0,
    ...over,
  };
}

function show(u: UnitState): string {
  return [
    `Id=${u.id}`,
    `LoadState=${u.loadState}`,
    `ActiveState=${u.activeState}`,
    `SubState=${u.subState}`,
    `UnitFileState=${u.unitFileState}`,
    `MainPID=${u.mainPid}`,
    `CanReload=${u.canReload ? "yes" : "no"}`,
    `NeedDaemonReload=${u.needDaemonReload ? "yes" : "no"}`,
    `FragmentPath=${u.fragmentPath}`,
    "",
  ].join("\n");
}

const running = unit({ activeState: "active", subState: "running", unitFileState: "enabled", mainPid: 42 });

describe("unitActions()", () => {
  const words = (u: UnitState | undefined, want: Parameters<typeof unitActions>[1]["want"], restart = false) =>
    unitActions(u, { name: "app.service", want, restart }).words;
  test.each([
    ["started holds for a running unit", running, { state: "started" as const }, []],
    ["started starts a stopped unit", unit(), { state: "started" as const }, ["start"]],
    ["stopped stops a running unit", running, { state: "stopped" as const }, ["stop"]],
    ["stopped holds for a failed unit", unit({ activeState: "failed" }), { state: "stopped" as const }, []],
    ["restarted always acts", running, { state: "restarted" as const }, ["restart"]],
    ["restarted starts a stopped unit", unit(), { state: "restarted" as const }, ["start"]],
    ["reloaded reloads a running unit", running, { state: "reloaded" as const }, ["reload"]],
    ["enabled holds for static units", unit({ unitFileState: "static" }), { enabled: true }, []],
    ["enabled enables a disabled unit", unit(), { enabled: true }, ["enable"]],
    ["disabled holds for a masked unit", unit({ unitFileState: "masked" }), { enabled: false }, []],
    ["a unit not loaded yet is enabled and started", undefined, { enabled: true, state: "started" as const }, ["enable", "start"]],
  ])("%s", (_name, u, want, expected) => {
    expect(words(u, want)).toEqual(expected);
  });

  test("a changed file restarts a running unit only when asked", () => {
    expect(words(running, { state: "started" }, true)).toEqual(["restart (changed)"]);
    expect(words(running, {}, true)).toEqual(["restart (changed)"]);
    expect(words(unit(), {}, true)).toEqual([]);
  });

  test("a failing start prints the unit's status", () => {
    expect(unitActions(unit(), { name: "app.service", want: { state: "started" } }).commands[0]?.text).toBe(
      `systemctl start -- app.service || { rc=$?; systemctl status --no-pager -n 15 -- app.service >&2; exit "$rc"; }`,
    );
  });
});

describe("service()", () => {
  async function plan(call: ReturnType<typeof service>, u: UnitState, check = true) {
    const { host, connection } = fakeHost({ check, respond: () => ({ stdout: show(u) }) });
    const result = await host.run({ ...call, options: { ...call.options, ignoreErrors: true } });
    return { result, commands: connection.executed };
  }

  test("checks with one systemctl show command", async () => {
    const { result, commands } = await plan(service({ name: "app", enabled: true, state: "started" }), running);
    expect(result).toMatchObject({ status: "ok", message: "app.service is active, enabled" });
    expect(commands).toHaveLength(1);
    expect(commands[0]?.text).toMatch(/^systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState,/);
  });

  test("says what it would do and from which state", async () => {
    expect((await plan(service({ name: "app", enabled: false, state: "stopped" }), running)).result.message).toBe(
      "disable and stop app.service (was active, enabled)",
    );
  });

  test("reloads systemd first when the unit's files changed on disk", async () => {
    const { host, connection } = fakeHost({
      respond: (t) => ({ stdout: t.startsWith("systemctl show") ? show(unit({ needDaemonReload: true })) : "" }),
    });
    await host.run(service({ name: "app", state: "started" }));
    expect(connection.executed[1]?.text).toMatch(/^\{ systemctl daemon-reload\n\} && \{ systemctl start -- app\.service/);
  });

  test("fails clearly on an unknown unit, and in --check reports it as a change an earlier task may allow", async () => {
    const missing = unit({ id: "nosuch.service", loadState: "not-found", unitFileState: "", fragmentPath: "" });
    const applied = await plan(service({ name: "nosuch", state: "started" }), missing, false);
    expect(applied.result.message).toMatch(/^Cannot manage service nosuch: systemd has no such unit \(LoadState=not-found\)\n {2}hint: /);
    const checked = await plan(service({ name: "nosuch", state: "started" }), missing, true);
    expect(checked.result).toMatchObject({
      status: "changed",
      message:
        "start nosuch; systemd has no such unit (LoadState=not-found) yet, so applying fails unless an earlier task of this run provides it",
    });
    expect((await plan(service({ name: "nosuch", state: "stopped" }), missing, false)).result.status).toBe("ok");
  });

  test("refuses to start a masked unit and to reload one without ExecReload", async () => {
    expect(
      (await plan(service({ name: "app", state: "started" }), unit({ loadState: "masked", unitFileState: "masked" }))).result.message,
    ).toMatch(/^Cannot start app\.service: the unit is masked\n {2}hint: unmask it first/);
    expect((await plan(service({ name: "app", state: "reloaded" }), running)).result.message).toMatch(
      /^Cannot reload app\.service: the unit has no ExecReload/,
    );
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => service({ name: "app" })).toThrow(/Cannot use services\.service: give parameter "enabled" or "state"/);
    expect(() => service({ name: "app", state: "running" as "started" })).toThrow(
      /parameter "state" must be one of "started", "stopped", "restarted", "reloaded"/,
    );
    expect(() => service({ name: "app; reboot", state: "started" })).toThrow(/parameter "name" must match pattern/);
  });
});

describe("systemdUnit()", () => {
  const content = "[Service]\nExecStart=/bin/sleep infinity\n";
  const sha = "a".repeat(64);
  async function plan(call: ReturnType<typeof systemdUnit>, file: string, u: UnitState) {
    const { host } = fakeHost({ check: true, respond: () => ({ stdout: `@@bosun:file\n${file}\n@@bosun:unit\n${show(u)}` }) });
    return host.run({ ...call, options: { ...call.options, ignoreErrors: true } });
  }

  test("writes a new unit, reloads systemd, enables and starts it", async () => {
    const r = await plan(
      systemdUnit({ name: "app.service", content, enabled: true, started: true }),
      "absent",
      unit({ loadState: "not-found", unitFileState: "" }),
    );
    expect(r.message).toBe("write /etc/systemd/system/app.service, daemon-reload; enable app.service; start app.service");
  });

  test("a changed file reloads systemd and restarts the running unit only with restartOnChange", async () => {
    const file = `file\n${sha}`;
    expect((await plan(systemdUnit({ name: "app.service", content, started: true }), file, running)).message).toBe(
      "update /etc/systemd/system/app.service, daemon-reload",
    );
    expect((await plan(systemdUnit({ name: "app.service", content, started: true, restartOnChange: true }), file, running)).message).toBe(
      "update /etc/systemd/system/app.service, daemon-reload; restart (changed) app.service",
    );
  });

  test("writes a drop-in beside a packaged unit", async () => {
    const r = await plan(systemdUnit({ name: "ssh.service", dropIn: "override", content }), "absent", running);
    expect(r.message).toBe("write /etc/systemd/system/ssh.service.d/override.conf, daemon-reload");
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => systemdUnit({ name: "app", content })).toThrow(/Cannot use services\.systemdUnit: parameter "name" must match pattern/);
    expect(() => systemdUnit({ name: "app.service" })).toThrow(/give exactly one of parameters "content" and "template"/);
    expect(() => systemdUnit({ name: "app@.service", content, started: true })).toThrow(
      /a template unit \(app@\.service\) cannot be enabled or started itself/,
    );
    expect(() => systemdUnit({ name: "app.service", state: "absent", started: true })).toThrow(/cannot be true with state "absent"/);
  });
});

describe("systemd unit text", () => {
  test("ExecStart words keep quotes, backslashes, $ and % literal", () => {
    expect(execWord(`printf '%s|' "a b" '$HOME' \\`)).toBe(`"printf '%%s|' \\"a b\\" '$$HOME' \\\\"`);
    expect(shellExecStart("echo hi")).toBe(`ExecStart=/bin/sh -c "echo hi"`);
  });

  test("Environment lines are quoted as one assignment", () => {
    expect(environmentLine("GREETING", `say "hi" 100%`)).toBe(`Environment="GREETING=say \\"hi\\" 100%%"`);
  });

  test("a timer is a oneshot service and a persistent timer wanted by timers.target", () => {
    const { service: svc, timer } = renderTimerUnits({
      name: "backup",
      onCalendar: ["daily", "Mon 08:00"],
      command: "/usr/local/bin/backup",
      user: "deploy",
      randomizedDelaySec: 60,
    });
    expect(svc).toBe('[Unit]\nDescription=backup\n\n[Service]\nType=oneshot\nUser=deploy\nExecStart=/bin/sh -c "/usr/local/bin/backup"\n');
    expect(timer).toBe(
      "[Unit]\nDescription=backup (timer)\n\n[Timer]\nOnCalendar=daily\nOnCalendar=Mon 08:00\nPersistent=true\nRandomizedDelaySec=60\n\n[Install]\nWantedBy=timers.target\n",
    );
  });
});

describe("systemdTimer()", () => {
  test("checks calendar expressions on the host before writing anything", async () => {
    const { host } = fakeHost({
      check: true,
      respond: () => ({
        stdout: `@@bosun:service\nabsent\n@@bosun:timer\nabsent\n@@bosun:unit\n${show(unit({ id: "b.timer", loadState: "not-found" }))}@@bosun:calendar\nok\nbad\n`,
      }),
    });
    const r = await host.run(systemdTimer({ name: "b", onCalendar: ["daily", "bogus"], command: "true", ignoreErrors: true }));
    expect(r.message).toMatch(
      /^Cannot install timer b: "bogus" is not a valid calendar expression\n {2}hint: try it on the host: systemd-analyze calendar 'bogus'$/,
    );
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => systemdTimer({ name: "b", command: "true" })).toThrow(
      /Cannot use services\.systemdTimer: missing required parameter "onCalendar"/,
    );
    expect(() => systemdTimer({ name: "b", onCalendar: "daily", command: "a\nb" })).toThrow(/parameter "command" must be one line/);
    expect(() => systemdTimer({ name: "b", onCalendar: "daily", command: "x", environment: { "A-B": "1" } })).toThrow(
      /invalid variable name "A-B"/,
    );
  });
});

describe("systemdUnit() with a template", () => {
  test("renders the template with the host's variables and the task's vars (strict)", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(`${tmpdir()}/bosun-unit-`);
    try {
      writeFileSync(`${dir}/app.service.hbs`, "[Service]\nUser={{user}}\nExecStart={{bin}}\n");
      const { host } = fakeHost({
        check: true,
        diff: true,
        respond: () => ({ stdout: `@@bosun:file\nabsent\n@@bosun:unit\nId=app.service\nLoadState=not-found\nActiveState=inactive\n` }),
      });
      const ok = await host.run(
        systemdUnit({ name: "app.service", template: `${dir}/app.service.hbs`, vars: { user: "app", bin: "/srv/app/run" } }),
      );
      expect(ok.diff).toContain("+User=app\n+ExecStart=/srv/app/run");
      const missing = await host.run(
        systemdUnit({ name: "app.service", template: `${dir}/app.service.hbs`, vars: { user: "app" }, ignoreErrors: true }),
      );
      expect(missing.message).toMatch(/Cannot render template .*app\.service\.hbs: .*"bin"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
