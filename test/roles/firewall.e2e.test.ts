/**
 * Role `firewall` on a fresh lab host over real SSH: --check changes nothing, the first run
 * installs and enables ufw, the second changes nothing; filtering proved from the other lab host.
 */
import { firewallRole, type FirewallRoleInput } from "../../roles/firewall/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { TaskRunner, sshRun, type LabTarget, labTarget } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-role-fw", count: 2 });
const SLOW = 240_000;
let fw: TaskRunner;
let other: TaskRunner;

const target = (i: number): LabTarget => labTarget(lab(), i);
/** HTTP status the other host gets from a port of the firewalled host ("000": no answer). */
const status = (port: number) =>
  other.sh(`curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 http://${lab().hosts[0]!.ip}:${port}/`).stdout;
const state = () =>
  fw.sh(
    "dpkg-query -W -f '${Status}\\n' ufw 2>&1; grep -s ^ENABLED /etc/ufw/ufw.conf; grep -hs '^### tuple' /etc/ufw/user.rules; grep -s POLICY /etc/default/ufw",
  ).stdout;
const input: FirewallRoleInput = { ports: [8080, { port: 9000, proto: "tcp", from: "192.0.2.0/24", comment: "only from TEST-NET" }] };

beforeAll(() => {
  fw = new TaskRunner(target(0));
  other = new TaskRunner(target(1));
  for (const port of [80, 8080, 9000, 9100]) {
    const r = fw.sh(`systemd-run --unit=web${port} python3 -m http.server ${port} --directory /tmp >/dev/null 2>&1`);
    if (r.code !== 0) throw new Error(`cannot start a listener on ${port}: ${r.stderr}`);
  }
}, SLOW);
afterAll(async () => {
  await fw?.close();
  await other?.close();
});

describe("role firewall", () => {
  test(
    "firewallRole() --check on a fresh host reports changes and leaves it untouched",
    async () => {
      const before = state();
      expect(before).toMatch(/^(unknown ok not-installed|dpkg-query: no packages found matching ufw)\n$/);
      expect(status(9100)).toBe("200");
      const results = await firewallRole({ run: (call) => fw.run(call, { check: true }) }, input);
      // A fresh ufw already denies incoming and allows outgoing: only the defaults task has nothing to do.
      expect(results.map((r) => `${r.task} ${r.failed ? r.message : r.status}`)).toEqual([
        "packages.apt changed",
        "ufw.allow changed",
        "ufw.default ok",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.enable changed",
        "files.ensureFile changed",
        "services.systemdUnit changed",
        "services.systemdUnit changed",
        "ufw.dockerFilter changed",
      ]);
      expect(results.find((r) => r.task === "ufw.enable")?.message).toMatch(
        /^enable ufw; ufw is not installed yet, so applying fails unless an earlier task of this run provides it/,
      );
      expect(state()).toBe(before);
    },
    SLOW,
  );

  test(
    "firewallRole() installs and enables ufw, the other host reaches 80 and 8080 only; a second time changes nothing, at one command per task",
    async () => {
      const results = await firewallRole({ run: (call) => fw.run(call) }, input);
      expect(results.map((r) => `${r.task} ${r.failed ? r.message : r.status}`)).toEqual([
        "packages.apt changed",
        "ufw.allow changed",
        "ufw.default ok",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.allow changed",
        "ufw.enable changed",
        "files.ensureFile changed",
        "services.systemdUnit changed",
        "services.systemdUnit changed",
        "ufw.dockerFilter changed",
      ]);
      expect(fw.sh("grep ^ENABLED /etc/ufw/ufw.conf").stdout).toBe("ENABLED=yes\n");
      expect([status(80), status(8080), status(9000), status(9100)]).toEqual(["200", "200", "000", "000"]);
      expect(sshRun(fw.target, "echo still in").stdout).toBe("still in\n");

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const before = state();
      const again = await firewallRole({ run: (call) => fw.run(call) }, input);
      expect(again.filter((r) => r.status !== "ok").map((r) => `${r.task}: ${r.message}`)).toEqual([]);
      expect(again.every((r) => r.commands === 1)).toBe(true);
      expect(state()).toBe(before);
    },
    SLOW,
  );
});
