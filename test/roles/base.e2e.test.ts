/** Role base on a fresh lab host: check mode changes nothing, a run converges, a second run changes nothing. */
import { openHost, type OpenedHost } from "../../lib/run/standalone.js";
import type { TaskResult } from "../../lib/core/task.js";
import { baseRole, type BaseRoleInput } from "../../roles/base/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { sshRun, type LabTarget } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-base" });
const SLOW = 240_000;

let target: LabTarget;
beforeAll(() => {
  const info = lab();
  const h = info.hosts[0]!;
  target = { name: h.name, sshPort: h.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
});

/** Run the role on a new connection as root. */
async function run(options: BaseRoleInput, check = false): Promise<readonly TaskResult[]> {
  const host: OpenedHost = await openHost(
    { name: target.name, host: "127.0.0.1", port: target.sshPort, privateKeyPath: target.keyPath, knownHostsPath: target.knownHostsPath },
    { check },
  );
  try {
    return await baseRole(host, options);
  } finally {
    await host.close();
  }
}
const root = (command: string): string => {
  const r = sshRun(target, command);
  return `${r.stdout}${r.stderr}`;
};
const state = () =>
  root(
    "dpkg-query -W -f='${Package} ${Status}\\n' unattended-upgrades tree 2>&1; readlink /etc/localtime; ls /etc/apt/apt.conf.d | grep -E 'auto-upgrades|bosun' ; systemctl is-enabled apt-daily-upgrade.timer; echo end",
  );
const OPTIONS: BaseRoleInput = {
  timezone: "Europe/Berlin",
  extraPackages: ["tree"],
  unattendedUpgrades: { autoReboot: true, rebootTime: "04:00" },
};

test(
  "base() in check mode reports what it would change and leaves a fresh host untouched",
  async () => {
    const before = state();
    expect(before).toMatch(/no packages found matching unattended-upgrades/);
    const results = await run(OPTIONS, true);
    expect(results.map((r) => `${r.task} ${r.status}`)).toEqual([
      "packages.apt changed",
      "system.timezone changed",
      "files.templateFile changed",
      "files.templateFile changed",
      "services.service ok",
      "services.service ok",
      "services.service changed",
    ]);
    expect(results[0]?.message).toBe("refresh package lists (package lists were never fetched); install tree unattended-upgrades");
    expect(state()).toBe(before);
  },
  SLOW,
);

test(
  "base() installs the packages, sets the time zone and turns on unattended upgrades; a second run changes nothing",
  async () => {
    const first = await run(OPTIONS);
    expect(first.filter((r) => r.failed).map((r) => r.message)).toEqual([]);
    expect(root("dpkg-query -W -f='${Package} ${Status}\\n' ca-certificates curl gnupg tree unattended-upgrades")).toBe(
      [
        "ca-certificates install ok installed",
        "curl install ok installed",
        "gnupg install ok installed",
        "tree install ok installed",
        "unattended-upgrades install ok installed",
        "",
      ].join("\n"),
    );
    expect(root("readlink -f /etc/localtime; cat /etc/timezone")).toBe("/usr/share/zoneinfo/Europe/Berlin\nEurope/Berlin\n");
    // What apt's daily jobs and unattended-upgrades read, as apt itself parses it.
    expect(
      root(
        "apt-config dump | grep -E '^(APT::Periodic::(Update-Package-Lists|Unattended-Upgrade)|Unattended-Upgrade::Automatic-Reboot(-Time)?) '",
      ),
    ).toBe(
      [
        'APT::Periodic::Update-Package-Lists "1";',
        'APT::Periodic::Unattended-Upgrade "1";',
        'Unattended-Upgrade::Automatic-Reboot "true";',
        'Unattended-Upgrade::Automatic-Reboot-Time "04:00";',
        "",
      ].join("\n"),
    );
    expect(
      root(
        "systemctl is-enabled apt-daily.timer apt-daily-upgrade.timer unattended-upgrades; systemctl is-active apt-daily-upgrade.timer unattended-upgrades",
      ),
    ).toBe("enabled\nenabled\nenabled\nactive\nactive\n");
    const again = await run(OPTIONS);
    expect(again.map((r) => `${r.status} ${r.commands}`)).toEqual(Array(7).fill("ok 1"));
  },
  SLOW,
);

test(
  "base() with unattendedUpgrades: false switches the periodic upgrade off",
  async () => {
    const results = await run({ ...OPTIONS, unattendedUpgrades: false });
    expect(results.map((r) => r.status)).toEqual(["ok", "ok", "changed", "changed", "ok", "ok", "ok"]);
    expect(root("apt-config dump | grep -E '^APT::Periodic::Unattended-Upgrade '")).toBe('APT::Periodic::Unattended-Upgrade "0";\n');
  },
  SLOW,
);
