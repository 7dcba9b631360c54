/** systemd tasks on a fresh lab host (systemd is PID 1 there) over SSH, verified with plain systemctl. */
import { openHost, type OpenedHost } from "../../../lib/run/standalone.js";
import { ensureFile } from "../../../lib/tasks/files/index.js";
import { service, systemdTimer, systemdUnit } from "../../../lib/tasks/services/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { TaskRunner, expectConverges, type LabTarget } from "../../e2e/task-harness.js";

const lab = useLab({ name: "t-svc", count: 1 });
const SLOW = 120_000;
let runner: TaskRunner;
let target: LabTarget;

/** Run a plain command as root; fail the test when it fails. */
function sh(command: string): string {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`\`${command}\` failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
/** `systemctl show` of some properties (systemd prints them in its own order: LoadState, ActiveState, UnitFileState). */
const show = (unit: string, props = "ActiveState,UnitFileState,LoadState") => runner.sh(`systemctl show -p ${props} ${unit}`).stdout;

beforeAll(() => {
  const h = lab().hosts[0]!;
  target = { name: h.name, sshPort: h.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath };
  runner = new TaskRunner(target);
});
afterAll(() => runner?.close());

const UNIT = `[Unit]
Description=bosun demo service

[Service]
EnvironmentFile=/etc/bosun-demo.env
ExecStart=/bin/sh -c 'echo "started with $GREETING"; exec sleep infinity'

[Install]
WantedBy=multi-user.target
`;

test(
  "systemdUnit writes a unit, reloads systemd, enables and starts it; a re-run is one command",
  async () => {
    sh("echo GREETING=hello > /etc/bosun-demo.env");
    const state = () => `${show("bosun-demo.service")}${runner.sh("sha256sum /etc/systemd/system/bosun-demo.service 2>&1").stdout}`;
    expect(state()).toMatch(/LoadState=not-found\nActiveState=inactive\nUnitFileState=\n.*No such file/s);
    const { applied } = await expectConverges(
      runner,
      systemdUnit({ name: "bosun-demo.service", content: UNIT, enabled: true, started: true }),
      state,
    );
    expect(applied.message).toBe(
      "write /etc/systemd/system/bosun-demo.service, daemon-reload; enable bosun-demo.service; start bosun-demo.service",
    );
    expect(show("bosun-demo.service")).toBe("LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n");
    expect(sh("journalctl -u bosun-demo -o cat --no-pager | grep started")).toBe("started with hello\n");
    expect(sh("stat -c '%a %U' /etc/systemd/system/bosun-demo.service")).toBe("644 root\n");
  },
  SLOW,
);

test(
  "service stops and disables a unit, then enables and starts it again; each re-run is one command",
  async () => {
    const state = () => show("bosun-demo.service");
    await expectConverges(runner, service({ name: "bosun-demo", enabled: false, state: "stopped" }), state);
    expect(state()).toBe("LoadState=loaded\nActiveState=inactive\nUnitFileState=disabled\n");
    await expectConverges(runner, service({ name: "bosun-demo.service", enabled: true, state: "started" }), state);
    expect(state()).toBe("LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n");
  },
  SLOW,
);

test(
  "service restarted always restarts (new MainPID), reloaded reloads in place (same MainPID)",
  async () => {
    const pid = (unit: string) => show(unit, "MainPID");
    const before = pid("bosun-demo.service");
    expect((await runner.run(service({ name: "bosun-demo", state: "restarted" }))).status).toBe("changed");
    const after = pid("bosun-demo.service");
    expect(after).not.toBe(before);
    expect((await runner.run(service({ name: "bosun-demo", state: "restarted" }))).status).toBe("changed");
    expect(pid("bosun-demo.service")).not.toBe(after);

    const sshd = pid("ssh.service");
    const reload = show("ssh.service", "ExecMainStartTimestampMonotonic");
    expect(await runner.run(service({ name: "ssh", state: "reloaded" }))).toMatchObject({
      status: "changed",
      message: "reload ssh.service (was active, enabled)",
    });
    expect(pid("ssh.service")).toBe(sshd);
    expect(show("ssh.service", "ExecMainStartTimestampMonotonic")).toBe(reload);
    const noReload = await runner.run(service({ name: "bosun-demo", state: "reloaded" }));
    expect(noReload.message).toMatch(/^Cannot reload bosun-demo\.service: the unit has no ExecReload\n/);
  },
  SLOW,
);

test(
  "a service managed by systemd restarts only when its unit or its config changed (handler-style restart)",
  async () => {
    const identity = () => show("bosun-demo.service", "MainPID,ActiveEnterTimestampMonotonic");
    let restarts = 0;
    const host: OpenedHost = await openHost(
      { name: target.name, host: "127.0.0.1", port: target.sshPort, privateKeyPath: target.keyPath, knownHostsPath: target.knownHostsPath },
      {
        handlers: {
          "restart demo": async (h) => {
            restarts++;
            await h.run(service({ name: "bosun-demo", state: "restarted" }));
          },
        },
      },
    );
    /** One play: the unit and its config, notifying the handler; the handler runs at the end. */
    const play = async (greeting: string, unit = UNIT) => {
      const results = [
        await host.run(systemdUnit({ name: "bosun-demo.service", content: unit, enabled: true, started: true, notify: "restart demo" })),
        await host.run(
          ensureFile({ path: "/etc/bosun-demo.env", content: `GREETING=${greeting}\n`, mode: "0644", notify: "restart demo" }),
        ),
      ];
      await host.flushHandlers();
      return results.map((r) => r.status);
    };
    try {
      // The config as the earlier tests left it: nothing changes, nothing restarts.
      const start = identity();
      expect(await play("hello")).toEqual(["ok", "ok"]);
      expect(identity()).toBe(start);
      expect(restarts).toBe(0);

      // The config changes: one restart, a new process that read the new config.
      expect(await play("bonjour")).toEqual(["ok", "changed"]);
      const afterConfig = identity();
      expect(afterConfig).not.toBe(start);
      expect(restarts).toBe(1);
      expect(sh("journalctl -u bosun-demo -o cat --no-pager | grep started | tail -n 1")).toBe("started with bonjour\n");

      // Same again: no restart.
      expect(await play("bonjour")).toEqual(["ok", "ok"]);
      expect(identity()).toBe(afterConfig);
      expect(restarts).toBe(1);

      // The unit changes: daemon-reload, then one restart that runs the new ExecStart.
      const unit2 = UNIT.replace('echo "started with $GREETING"', 'echo "v2 started with $GREETING"');
      expect(await play("bonjour", unit2)).toEqual(["changed", "ok"]);
      expect(identity()).not.toBe(afterConfig);
      expect(restarts).toBe(2);
      expect(show("bosun-demo.service", "NeedDaemonReload")).toBe("NeedDaemonReload=no\n");
      expect(sh("journalctl -u bosun-demo -o cat --no-pager | grep started | tail -n 1")).toBe("v2 started with bonjour\n");
    } finally {
      await host.close();
    }
  },
  SLOW,
);

test(
  "systemdTimer installs a oneshot service and an enabled timer listed by systemctl list-timers; a re-run is one command",
  async () => {
    const call = systemdTimer({
      name: "bosun-tick",
      onCalendar: ["*-*-* 03:00:00", "hourly"],
      command: `echo "tick as $(id -un) in $PWD, \${GREETING}" > /tmp/bosun-tick.out`,
      user: "nobody",
      workingDirectory: "/tmp",
      environment: { GREETING: "100% fine" },
    });
    // The listing's unit columns only: its NEXT and LEFT columns count down between two reads.
    const listed = () => runner.sh("systemctl list-timers --all --no-legend bosun-tick.timer | awk '{ print $(NF-1), $NF }'").stdout;
    const state = () => `${show("bosun-tick.timer")}${listed()}`;
    expect(state()).toBe("LoadState=not-found\nActiveState=inactive\nUnitFileState=\n");
    await expectConverges(runner, call, state);
    expect(show("bosun-tick.timer")).toBe("LoadState=loaded\nActiveState=active\nUnitFileState=enabled\n");
    expect(sh("systemctl list-timers --all --no-legend bosun-tick.timer")).toMatch(/ bosun-tick\.timer +bosun-tick\.service\n$/);
    // What the timer would run, run now: the command exactly as written, as the user.
    sh("systemctl start bosun-tick.service");
    expect(sh("cat /tmp/bosun-tick.out")).toBe("tick as nobody in /tmp, 100% fine\n");
    // A new schedule restarts the timer.
    const changedSchedule = await runner.run(systemdTimer({ ...call.params, onCalendar: "daily" }));
    expect(changedSchedule.message).toBe("update bosun-tick.timer; daemon-reload; restart (changed) bosun-tick.timer");
    expect(sh("systemctl cat bosun-tick.timer | grep OnCalendar")).toBe("OnCalendar=daily\n");
  },
  SLOW,
);

test(
  "systemdTimer and systemdUnit with state absent stop, disable and remove what they installed",
  async () => {
    await expectConverges(
      runner,
      systemdTimer({ name: "bosun-tick", state: "absent" }),
      () => show("bosun-tick.timer") + runner.sh("ls /etc/systemd/system/bosun-tick.* 2>&1").stdout,
    );
    expect(show("bosun-tick.timer")).toBe("LoadState=not-found\nActiveState=inactive\nUnitFileState=\n");
    await expectConverges(runner, systemdUnit({ name: "bosun-demo.service", state: "absent" }), () => show("bosun-demo.service"));
    expect(show("bosun-demo.service")).toBe("LoadState=not-found\nActiveState=inactive\nUnitFileState=\n");
  },
  SLOW,
);

test(
  "service fails clearly on a unit systemd does not know",
  async () => {
    const r = await runner.run(service({ name: "no-such-thing", state: "started" }));
    expect(r.message).toBe(
      "Cannot manage service no-such-thing: systemd has no such unit (LoadState=not-found)\n  hint: check the name (systemctl list-unit-files), or install the package that provides it first",
    );
    expect(r.commands).toBe(1);
  },
  SLOW,
);

test("bad parameters are rejected before anything runs, naming the task and the parameter", () => {
  const before = runner.commands.length;
  expect(() => service({ name: "ssh", state: "running" as "started" })).toThrow(
    /^Cannot use services\.service: parameter "state" must be one of/,
  );
  expect(() => systemdUnit({ name: "bosun-demo", content: UNIT })).toThrow(
    /^Cannot use services\.systemdUnit: parameter "name" must match pattern/,
  );
  expect(() => systemdTimer({ name: "t", onCalendar: "daily" })).toThrow(
    /^Cannot use services\.systemdTimer: missing required parameter "command"$/,
  );
  expect(runner.commands.length).toBe(before);
});
