/**
 * Each lab host capability, proven with plain commands (system ssh, docker), never with bosun.
 * One lab of two hosts serves every test; the last test takes it down and checks nothing is left.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { labDown, type LabHost } from "../../lib/lab/index.js";
import { runProcess } from "../../lib/lab/process.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";
import { aptSetupInstall } from "../e2e/apt-setup.js";

const NAME = "t-hosts";
const lab = useLab({ name: NAME, count: 2 });
/** Per-test limit: jest ignores `testTimeout` in a project config, and a loaded machine is slow. */
const SLOW = 120_000;
const first = (): LabHost => lab().hosts[0]!;
const second = (): LabHost => lab().hosts[1]!;

/** HTTP status seen by `from` for `url` ("000" when nothing answers within 3 s). */
async function httpStatusFrom(from: LabHost, url: string): Promise<string> {
  const r = await sshExec(from, `curl -s -o /dev/null -w '%{http_code}' --max-time 3 ${url}`, { allowFailure: true });
  return r.stdout.trim();
}

test(
  "root logs in over SSH with the lab key, and not with another key",
  async () => {
    const r = await sshExec(first(), "id -un; hostname");
    expect(r.stdout).toBe(`root\n${NAME}1\n`);

    const dir = mkdtempSync(path.join(tmpdir(), "bosun-otherkey-"));
    try {
      const other = path.join(dir, "id_ed25519");
      await runProcess(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other]);
      const refused = await runProcess(
        [
          "ssh",
          "-i",
          other,
          "-p",
          String(first().sshPort),
          "-o",
          "IdentitiesOnly=yes",
          "-o",
          "BatchMode=yes",
          "-o",
          `UserKnownHostsFile=${lab().knownHostsPath}`,
          "-o",
          "StrictHostKeyChecking=yes",
          "root@127.0.0.1",
          "true",
        ],
        { allowFailure: true },
      );
      expect(refused.code).toBe(255);
      expect(refused.stderr).toMatch(/Permission denied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  SLOW,
);

test(
  "every host has its own SSH host keys and machine id",
  async () => {
    const probe = "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub; cat /etc/machine-id";
    const [a, b] = await Promise.all([sshExec(first(), probe), sshExec(second(), probe)]);
    expect(a.stdout).toMatch(/^256 SHA256:\S+ .*\n[0-9a-f]{32}\n$/);
    expect(b.stdout).toMatch(/^256 SHA256:\S+ .*\n[0-9a-f]{32}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
    const known = readFileSync(lab().knownHostsPath, "utf8");
    expect(known).toContain(`[127.0.0.1]:${first().sshPort} ssh-ed25519 `);
  },
  SLOW,
);

test(
  "systemd is PID 1 and enables, starts and restarts a unit",
  async () => {
    const h = first();
    const state = await sshExec(h, "systemctl is-system-running; systemctl --failed --no-legend", { allowFailure: true });
    expect(state.stdout).toBe("running\n"); // no failed unit at all: the image masks what cannot run here
    expect((await sshExec(h, "ps -o comm= -p 1")).stdout).toBe("systemd\n");

    const unit = "[Unit]\nDescription=lab probe\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n";
    await sshExec(h, "cat > /etc/systemd/system/lab-probe.service && systemctl daemon-reload && systemctl enable --now lab-probe", {
      input: unit,
    });
    const pid = async () => (await sshExec(h, "systemctl show -p MainPID --value lab-probe")).stdout.trim();
    const before = await pid();
    expect(Number(before)).toBeGreaterThan(1);
    await sshExec(h, "systemctl restart lab-probe");
    const after = await pid();
    expect(Number(after)).toBeGreaterThan(1);
    expect(after).not.toBe(before);
    expect((await sshExec(h, "systemctl is-enabled lab-probe; systemctl is-active lab-probe")).stdout).toBe("enabled\nactive\n");
    expect((await sshExec(h, "systemctl list-timers --all --no-legend")).stdout).toMatch(/apt-daily\.timer/);
  },
  SLOW,
);

test(
  "ufw on a host blocks, then allows, a port as seen from another lab host",
  async () => {
    const [h, peer] = [first(), second()];
    const machineRulesBefore = (await runProcess(["iptables-save"], { allowFailure: true })).stdout;
    await sshExec(h, aptSetupInstall("ufw"));
    await sshExec(h, "systemd-run --unit lab-web --working-directory /tmp python3 -m http.server 8080");
    const url = `http://${h.name}.lab.test:8080/`;
    await sshExec(peer, `for i in $(seq 50); do curl -s -o /dev/null --max-time 1 ${url} && exit 0; sleep 0.1; done; exit 1`);
    expect(await httpStatusFrom(peer, url)).toBe("200");

    await sshExec(h, "ufw default deny incoming && ufw allow 22/tcp && ufw --force enable");
    expect(await httpStatusFrom(peer, url)).toBe("000");
    expect((await sshExec(h, "echo still-reachable")).stdout).toBe("still-reachable\n"); // 22 stays open

    await sshExec(h, "ufw allow 8080/tcp");
    expect(await httpStatusFrom(peer, url)).toBe("200");
    expect((await sshExec(h, "ufw status")).stdout).toMatch(/8080\/tcp\s+ALLOW/);
    const machineRulesAfter = (await runProcess(["iptables-save"], { allowFailure: true })).stdout;
    expect(machineRulesAfter).not.toMatch(/ufw/);
    expect(machineRulesBefore).not.toMatch(/ufw/);
  },
  SLOW,
);

test(
  "hostnamectl, timedatectl and renames over /etc/hosts work as on a VPS",
  async () => {
    const h = second();
    await sshExec(h, "hostnamectl set-hostname renamed-host");
    expect((await sshExec(h, "hostname; cat /etc/hostname")).stdout).toBe("renamed-host\nrenamed-host\n");
    await sshExec(h, `hostnamectl set-hostname ${h.name}`);

    await sshExec(h, "timedatectl set-timezone Europe/Paris");
    expect((await sshExec(h, "readlink -f /etc/localtime; timedatectl show -p Timezone --value")).stdout).toBe(
      "/usr/share/zoneinfo/Europe/Paris\nEurope/Paris\n",
    );
    await sshExec(h, "timedatectl set-timezone Etc/UTC");

    await sshExec(h, "cp /etc/hosts /etc/hosts.new && echo '10.9.9.9 lab-probe' >> /etc/hosts.new && mv /etc/hosts.new /etc/hosts");
    expect((await sshExec(h, "getent hosts lab-probe")).stdout).toMatch(/^10\.9\.9\.9\s+lab-probe/);
  },
  SLOW,
);

test(
  "a host reboots with systemctl reboot and comes back on the same port with the same host key",
  async () => {
    const h = second();
    const before = (await sshExec(h, "cat /etc/machine-id; ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")).stdout;
    const startedBefore = (await runProcess(["docker", "inspect", "-f", "{{.State.StartedAt}}", h.container])).stdout;
    await sshExec(h, "systemctl reboot", { allowFailure: true }); // the connection may drop mid-command
    let after = "";
    for (let i = 0; i < 100 && !after; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const started = (await runProcess(["docker", "inspect", "-f", "{{.State.StartedAt}}", h.container])).stdout;
      if (started === startedBefore) continue;
      const r = await sshExec(
        h,
        "systemctl is-system-running --wait >/dev/null; cat /etc/machine-id; ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub",
        { allowFailure: true },
      );
      if (r.code === 0) after = r.stdout;
    }
    expect(after).toBe(before);
    const startedAfter = (await runProcess(["docker", "inspect", "-f", "{{.State.StartedAt}}", h.container])).stdout;
    expect(startedAfter).not.toBe(startedBefore); // it really restarted
  },
  SLOW,
);

test(
  "down removes the lab's containers, volumes, known_hosts entries and inventory",
  async () => {
    const info = lab();
    expect(existsSync(info.inventoryPath)).toBe(true);
    await labDown({ name: NAME });
    const containers = await runProcess(["docker", "ps", "--all", "--quiet", "--filter", `label=bosun.lab.name=${NAME}`]);
    const volumes = await runProcess(["docker", "volume", "ls", "--quiet", "--filter", `label=bosun.lab.name=${NAME}`]);
    expect(containers.stdout).toBe("");
    expect(volumes.stdout).toBe("");
    for (const h of info.hosts) {
      const byName = await runProcess(["docker", "volume", "inspect", `bosun-${h.name}-docker`], { allowFailure: true });
      expect(byName.code).not.toBe(0);
    }
    const known = existsSync(info.knownHostsPath) ? readFileSync(info.knownHostsPath, "utf8") : "";
    for (const h of info.hosts) expect(known).not.toContain(`[127.0.0.1]:${h.sshPort} `);
    expect(existsSync(info.inventoryPath)).toBe(false);
  },
  SLOW,
);
