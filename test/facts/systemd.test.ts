import { isDisabled, isEnabled, isRunning, parseSystemctlShow, unitStates, type UnitState } from "../../lib/facts/systemd.js";

// Real output of `systemctl show -p ... q.service nosuch.service ssh` on a lab host (systemd 252).
const SAMPLE = `MainPID=0
Id=q.service
LoadState=loaded
ActiveState=inactive
SubState=dead
FragmentPath=/etc/systemd/system/q.service
UnitFileState=static
ActiveEnterTimestampMonotonic=0
CanReload=no
NeedDaemonReload=no

MainPID=0
Id=nosuch.service
LoadState=not-found
ActiveState=inactive
SubState=dead
FragmentPath=
UnitFileState=
ActiveEnterTimestampMonotonic=0
CanReload=no
NeedDaemonReload=no

MainPID=72
Id=ssh.service
LoadState=loaded
ActiveState=active
SubState=running
FragmentPath=/lib/systemd/system/ssh.service
UnitFileState=enabled
ActiveEnterTimestampMonotonic=1118125554
CanReload=yes
NeedDaemonReload=no
`;

function unit(over: Partial<UnitState>): UnitState {
  return {
    id: "x.service",
    loadState: "loaded",
    activeState: "inactive",
    subState: "dead",
    unitFileState: "disabled",
    mainPid: 0,
    canReload: false,
    needDaemonReload: false,
    fragmentPath: "",
    activeEnterMonotonic: 0,
    ...over,
  };
}

describe("parseSystemctlShow()", () => {
  test("reads one block per unit, in order, whatever the property order", () => {
    const [q, nosuch, ssh] = parseSystemctlShow(SAMPLE);
    expect(q).toMatchObject({ id: "q.service", loadState: "loaded", unitFileState: "static", canReload: false });
    expect(nosuch).toMatchObject({ id: "nosuch.service", loadState: "not-found", unitFileState: "", fragmentPath: "" });
    expect(ssh).toEqual({
      id: "ssh.service",
      loadState: "loaded",
      activeState: "active",
      subState: "running",
      unitFileState: "enabled",
      mainPid: 72,
      canReload: true,
      needDaemonReload: false,
      fragmentPath: "/lib/systemd/system/ssh.service",
      activeEnterMonotonic: 1118125554,
    });
  });

  test("keeps '=' inside values", () => {
    expect(parseSystemctlShow("Id=a.service\nFragmentPath=/etc/x=y\nLoadState=loaded\n")[0]?.fragmentPath).toBe("/etc/x=y");
  });
});

describe("unitStates", () => {
  test("asks systemctl show for the properties it parses, names after --", () => {
    expect(unitStates.command(["nginx", "a b.service"]).text).toBe(
      "systemctl show -p Id,LoadState,ActiveState,SubState,UnitFileState,MainPID,CanReload,NeedDaemonReload,FragmentPath,ActiveEnterTimestampMonotonic -- nginx 'a b.service' 2>&1",
    );
  });

  test("fails clearly where systemd is not PID 1", () => {
    const r = {
      code: 1,
      stdout: "System has not been booted with systemd as init system (PID 1). Can't operate.\n",
      stderr: "",
      durationMs: 1,
    };
    expect(() => unitStates.parse(r, ["nginx"])).toThrow(/Cannot read the state of nginx: System has not been booted with systemd/);
  });
});

describe("enablement and activity", () => {
  test.each([
    ["enabled", true, false],
    ["enabled-runtime", true, false],
    ["static", true, true],
    ["indirect", true, true],
    ["generated", true, true],
    ["disabled", false, true],
    ["masked", false, true],
    ["linked", false, false],
    ["", false, true],
  ])("UnitFileState %j: enabled holds %s, disabled holds %s", (state, enabled, disabled) => {
    expect(isEnabled(unit({ unitFileState: state }))).toBe(enabled);
    expect(isDisabled(unit({ unitFileState: state }))).toBe(disabled);
  });

  test.each([
    ["active", true],
    ["reloading", true],
    ["activating", true],
    ["inactive", false],
    ["failed", false],
    ["deactivating", false],
  ])("ActiveState %s counts as running: %s", (state, running) => {
    expect(isRunning(unit({ activeState: state }))).toBe(running);
  });
});
