/**
 * ufw tasks on lab hosts over real SSH: rules and policies converge in one command on a re-run,
 * enabling is refused while SSH is not allowed, and the firewall really filters (proved from the
 * other lab host with curl, never with `ufw status`).
 */
import { useLab } from "../../e2e/lab-fixture.js";
import { TaskRunner, expectConverges, sshRun, type LabTarget, labTarget } from "../../e2e/task-harness.js";
import { ufwAllow, ufwDeny, ufwLimit, ufwDefault, ufwEnable } from "../../../lib/tasks/ufw/index.js";
import { aptSetupInstall } from "../../e2e/apt-setup.js";

const lab = useLab({ name: "t-ufw", count: 2 });
let fw: TaskRunner;
let other: TaskRunner;
let fwIp = "";
/** Per-test timeout: each ufw command costs about a second of Python start-up. */
const T = 60_000;

const target = (i: number): LabTarget => labTarget(lab(), i);

/** The rules ufw stores, both families: the state the rule tasks must change. */
const rules = () => fw.sh("grep -h '^### tuple' /etc/ufw/user.rules /etc/ufw/user6.rules").stdout;
/** Whether the other lab host gets an answer from port 8080 on the firewalled host. */
const reachable = () =>
  other.sh(`curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 http://${fwIp}:8080/`).stdout === "200";

beforeAll(async () => {
  fw = new TaskRunner(target(0));
  other = new TaskRunner(target(1));
  fwIp = lab().hosts[0]!.ip;
  const setup = fw.sh(
    `${aptSetupInstall("ufw")} && ` + "systemd-run --unit=web8080 python3 -m http.server 8080 --directory /tmp >/dev/null 2>&1",
  );
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stderr}`);
}, 180_000);

afterAll(async () => {
  await fw?.close();
  await other?.close();
});

describe("ufw tasks", () => {
  test(
    "ufw tasks fail with an install hint on a host without ufw",
    async () => {
      const r = await other.run(ufwAllow({ port: 80, proto: "tcp" }));
      expect(r.failed).toBe(true);
      expect(r.message).toMatch(/Cannot add ufw rule "allow in tcp port 80": ufw is not installed\n {2}hint: install it first/);
    },
    T,
  );

  test(
    "the listener answers the other host while ufw is disabled (so the blocking proof below can fail)",
    () => {
      expect(fw.sh("grep ^ENABLED /etc/ufw/ufw.conf").stdout.trim()).toBe("ENABLED=no");
      expect(reachable()).toBe(true);
    },
    T,
  );

  test(
    "ufwEnable() is refused while no rule allows the SSH port of this session, and ufw stays off",
    async () => {
      const r = await fw.run(ufwEnable({}));
      expect(r.failed).toBe(true);
      // The lab publishes sshd on another port of 127.0.0.1: the guard must use the container's port 22.
      expect(r.message).toMatch(
        /Cannot enable ufw without cutting this session: no rule allows SSH \(port 22, from [\d.]+\) \(incoming policy: deny\)/,
      );
      expect(r.message).toMatch(/hint: add ufwAllow\(\{ port: 22, proto: "tcp" \}\)/);
      expect(r.commands).toBe(1);
      expect(
        fw.sh("grep ^ENABLED /etc/ufw/ufw.conf; iptables -n -L ufw-user-input >/dev/null 2>&1 && echo loaded || echo not-loaded").stdout,
      ).toBe("ENABLED=no\nnot-loaded\n");
    },
    T,
  );

  test(
    "ufwDefault() converges: --check leaves /etc/default/ufw alone, apply sets it, a re-run is one command",
    async () => {
      const policies = () => fw.sh("grep -E '^DEFAULT_(INPUT|OUTPUT|FORWARD)_POLICY' /etc/default/ufw").stdout;
      const { applied } = await expectConverges(fw, ufwDefault({ incoming: "reject", outgoing: "allow", routed: "reject" }), policies);
      expect(applied.message).toBe("incoming: deny -> reject, routed: deny -> reject");
      expect(policies()).toBe('DEFAULT_INPUT_POLICY="REJECT"\nDEFAULT_OUTPUT_POLICY="ACCEPT"\nDEFAULT_FORWARD_POLICY="REJECT"\n');
      expect((await fw.run(ufwDefault({ incoming: "deny", routed: "deny" }))).status).toBe("changed");
    },
    T,
  );

  test(
    "ufwAllow() converges for SSH with a comment, in both IP families",
    async () => {
      await expectConverges(fw, ufwAllow({ port: 22, proto: "tcp", comment: "ssh" }), rules);
      expect(rules()).toBe(
        "### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=737368\n### tuple ### allow tcp 22 ::/0 any ::/0 in comment=737368\n",
      );
    },
    T,
  );

  test(
    "ufwAllow() updates a rule's comment in place, and accepts any comment when none is given",
    async () => {
      const r = await fw.run(ufwAllow({ port: 22, proto: "tcp", comment: "ssh admin" }));
      expect(r.status).toBe("changed");
      expect(r.message).toBe("update rule allow in tcp port 22");
      expect(rules()).toContain("comment=7373682061646d696e");
      const again = await fw.run(ufwAllow({ port: 22, proto: "tcp" }));
      expect([again.status, again.commands]).toEqual(["ok", 1]);
    },
    T,
  );

  test(
    "ufwAllow() converges for a UDP range from a network, and deletes it with state absent",
    async () => {
      await expectConverges(fw, ufwAllow({ port: "6000:6007", proto: "udp", from: "10.0.0.0/8", comment: "x11" }), rules);
      expect(rules()).toContain("### tuple ### allow udp 6000:6007 0.0.0.0/0 any 10.0.0.0/8 in comment=783131\n");
      await expectConverges(fw, ufwAllow({ port: "6000:6007", proto: "udp", from: "10.0.0.0/8", state: "absent" }), rules);
      expect(rules()).not.toContain("6000:6007");
    },
    T,
  );

  test(
    "ufwLimit() and ufwDeny() converge",
    async () => {
      await expectConverges(fw, ufwLimit({ port: 2222, proto: "tcp" }), rules);
      expect(rules()).toContain("### tuple ### limit tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in\n");
      await expectConverges(fw, ufwDeny({ from: "192.0.2.7", comment: "abuse" }), rules);
      expect(rules()).toContain("### tuple ### deny any any 0.0.0.0/0 any 192.0.2.7 in comment=6162757365\n");
    },
    T,
  );

  test(
    "ufwEnable() converges once SSH is allowed; then the firewall drops port 8080 for the other host",
    async () => {
      const enabled = () =>
        fw.sh("grep ^ENABLED /etc/ufw/ufw.conf; iptables -n -L ufw-user-input >/dev/null 2>&1 && echo loaded || echo not-loaded").stdout;
      await expectConverges(fw, ufwEnable({}), enabled);
      expect(enabled()).toBe("ENABLED=yes\nloaded\n");
      expect(reachable()).toBe(false);
      // This SSH session (and new ones) still get in.
      expect(sshRun(fw.target, "echo in").stdout).toBe("in\n");
    },
    T,
  );

  test(
    "ufwAllow() lets port 8080 through for the other host only, and state absent blocks it again",
    async () => {
      const otherIp = lab().hosts[1]!.ip;
      await expectConverges(fw, ufwAllow({ port: 8080, proto: "tcp", from: otherIp }), rules);
      expect(reachable()).toBe(true);
      const removed = await fw.run(ufwAllow({ port: 8080, proto: "tcp", from: otherIp, state: "absent" }));
      expect(removed.status).toBe("changed");
      expect(reachable()).toBe(false);
    },
    T,
  );

  test(
    "deleting the rule that lets SSH in is refused while ufw is enabled",
    async () => {
      const r = await fw.run(ufwAllow({ port: 22, proto: "tcp", state: "absent" }));
      expect(r.failed).toBe(true);
      expect(r.message).toMatch(
        /Cannot delete ufw rule "allow in tcp port 22" without cutting this session: no rule would allow SSH \(port 22, from [\d.]+\) after this change/,
      );
      expect(rules()).toContain("allow tcp 22 0.0.0.0/0");
    },
    T,
  );

  test(
    "ufwEnable({ state: disabled }) converges and the port answers again",
    async () => {
      const enabled = () => fw.sh("grep ^ENABLED /etc/ufw/ufw.conf").stdout;
      await expectConverges(fw, ufwEnable({ state: "disabled" }), enabled);
      expect(enabled()).toBe("ENABLED=no\n");
      expect(reachable()).toBe(true);
    },
    T,
  );
});
