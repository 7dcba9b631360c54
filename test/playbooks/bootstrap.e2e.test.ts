/**
 * The bootstrap playbook on a fresh lab host: --check as root (by key, as the lab hands hosts
 * over), then the host is made to look like a VPS handed over with a root password only (root's
 * key removed; sshd lets root in by password, as a provider's image does) for the first run as
 * root by password through the CLI, then the re-run as the deploy user. Docker comes from Docker's
 * repository (docker_source: docker) through the lab's STAND-IN for it, set as docker_repo_url
 * like a user's mirror (download.docker.com is unreachable here).
 * The host is checked with plain commands only: `docker exec` into its container (root's SSH
 * login is gone by design), the system ssh client, and TCP from this machine.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli } from "../../lib/cli/main.js";
import type { RunReport } from "../../lib/core/report.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { loadInventory } from "../../lib/inventory/index.js";
import type { LabHost } from "../../lib/lab/index.js";
import { ensureDockerRepo, servicesUp, type DockerRepoInfo, type LabServices } from "../../lib/lab/services/index.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { LAB_BUNDLE_DIR } from "../../playbooks/lab/inventory.js";
import { dockerExec, useLab } from "../e2e/lab-fixture.js";
import type { LabTarget } from "../e2e/task-harness.js";
import { keyLogin, passwordLogin } from "../tasks/access/ssh-login.js";

const lab = useLab({ name: "t-boot", count: 1 });
const SLOW = 300_000;
const ROOT_PASSWORD = "Vps-Root-Pw-7Hq2Xz";

let services: LabServices;
let dockerRepo: DockerRepoInfo;
let host: LabHost;
let target: LabTarget;
let dir: string;
let inventoryFile: string;

/** Run a command in the host's container as root (plain docker exec, no SSH, no bosun). */
async function inHost(command: string): Promise<string> {
  const r = await dockerExec(host.container, ["sh", "-c", command], { allowFailure: true });
  return `${r.stdout}${r.stderr}`;
}
const changedCount = (report: RunReport) => Object.values(report.stats).reduce((n, s) => n + s.changed, 0);
const changedTitles = (report: RunReport) =>
  report.plays
    .flatMap((p) => p.results)
    .filter((r) => r.changed)
    .map((r) => r.title);
/** What bootstrap touches, as plain commands see it. */
const hostState = () =>
  inHost(
    "id deploy 2>&1; ls /etc/sudoers.d /etc/ssh/sshd_config.d; command -v ufw docker; ls -A /srv 2>&1; iptables -S INPUT | head -3; sshd -T | grep -E '^(permitrootlogin|passwordauthentication) '",
  );

beforeAll(async () => {
  services = await servicesUp();
  dockerRepo = await ensureDockerRepo(); // the stand-in for Docker's repository, set as a mirror would be
  const info = lab();
  host = info.hosts[0]!;
  target = { name: host.name, sshPort: host.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
  dir = mkdtempSync(path.join(tmpdir(), "bosun-t-boot-"));
  inventoryFile = path.join(dir, "vps.yml");
  writeFileSync(
    inventoryFile,
    `all:
  vars:
    ansible_user: deploy
    ansible_become: true
    ansible_ssh_private_key_file: ${info.keyPath}
    bosun_known_hosts: ${info.knownHostsPath}
    deploy_authorized_keys: ${JSON.stringify(readFileSync(`${info.keyPath}.pub`, "utf8").trim())}
    docker_source: docker
    docker_repo_url: ${dockerRepo.url}
    docker_daemon_json: { insecure-registries: ["${services.registry.address}"] }
    firewall_allow_ports: [8443]
    app_dir: /srv/demo
    app_bundle_source: ${LAB_BUNDLE_DIR}
    app_env: { app_greeting: bootstrap-test }
  hosts:
    ${host.name}: { ansible_host: 127.0.0.1, ansible_port: ${host.sshPort} }
`,
  );
}, SLOW);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("playbook bootstrap", () => {
  test(
    "--check as root on the fresh host reports the changes and changes nothing",
    async () => {
      const before = await hostState();
      const inventory = await loadInventory(inventoryFile);
      const report = await runPlaybook(bootstrap, { inventory, check: true, extraVars: { ansible_user: "root" } });
      expect(report.hostErrors).toEqual({});
      expect(report.exitCode).toBe(0);
      expect(changedTitles(report)).toEqual(
        expect.arrayContaining([
          "user deploy",
          "sudoers.d/deploy",
          "sshd_config.d/00-bosun-hardening.conf",
          "ufw enabled",
          "docker engine, compose v2, log rotation",
          "directory /srv/demo",
        ]),
      );
      expect(await hostState()).toBe(before);
      expect(before).toContain("no such user");
    },
    SLOW,
  );

  test(
    "the first run as root by password (tsx playbooks/bootstrap.ts --inventory ... -e ansible_user=root -e ansible_password=...) converges the host; re-running as the deploy user with sudo changes nothing",
    async () => {
      // A VPS with a root password and no key, sshd letting root in by password (a provider's cloud-init drop-in).
      await dockerExec(
        host.container,
        [
          "sh",
          "-c",
          "chpasswd && rm -f /root/.ssh/authorized_keys && printf 'PermitRootLogin yes\\nPasswordAuthentication yes\\n' > /etc/ssh/sshd_config.d/50-cloud-init.conf && systemctl reload ssh",
        ],
        {
          input: `root:${ROOT_PASSWORD}\n`,
        },
      );
      // sshd takes the new settings a moment after `systemctl reload` returns
      let login = passwordLogin(target, "root", ROOT_PASSWORD);
      for (let i = 0; i < 20 && login.code !== 0; i++) {
        await sleep(500);
        login = passwordLogin(target, "root", ROOT_PASSWORD);
      }
      expect(login).toMatchObject({ code: 0, stdout: "root\n" });
      // --check by root password: ssh hardening and docker are planned for the deploy user that the
      // same run would create first (it does not exist yet), and nothing changes.
      const beforeCheck = await hostState();
      let checkOut = "";
      const checkCode = await runCli(
        bootstrap,
        ["--inventory", inventoryFile, "--check", "-e", "ansible_user=root", "-e", `ansible_password=${ROOT_PASSWORD}`],
        {
          stdout: { write: (t: string) => ((checkOut += t), true) },
          stderr: { write: (t: string) => ((checkOut += t), true) },
          handleSignals: false,
        },
      );
      expect({ checkCode, checkOut }).toMatchObject({ checkCode: 0 });
      expect(checkOut).toMatch(/changed: \[\S+\] sshd_config\.d\/00-bosun-hardening\.conf/);
      expect(await hostState()).toBe(beforeCheck);
      let out = "";
      let err = "";
      const code = await runCli(
        bootstrap,
        ["--inventory", inventoryFile, "-e", "ansible_user=root", "-e", `ansible_password=${ROOT_PASSWORD}`],
        {
          stdout: { write: (t: string) => ((out += t), true) },
          stderr: { write: (t: string) => ((err += t), true) },
          handleSignals: false,
        },
      );
      expect(`${err}${out}`).not.toContain(ROOT_PASSWORD);
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toMatch(new RegExp(`${host.name} : ok=\\d+ +changed=([1-9]\\d*)`));
      expect(await inHost("cat /srv/demo/.env; stat -c '%U %a' /srv/demo /srv/demo/.env /srv/demo/compose.yaml")).toBe(
        "# Long-lived settings of the demo app: created once by bootstrap (roles/app-bundle), never overwritten.\nAPP_GREETING=bootstrap-test\ndeploy 750\ndeploy 600\ndeploy 644\n",
      );

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const inventory = await loadInventory(inventoryFile);
      const report = await runPlaybook(bootstrap, { inventory });
      expect(report.hostErrors).toEqual({});
      expect(changedTitles(report)).toEqual([]);
      expect(changedCount(report)).toBe(0);
      expect(report.stats[host.name]!.ok).toBeGreaterThan(15);
      // and --check on the converged host agrees
      const check = await runPlaybook(bootstrap, { inventory, check: true });
      expect(changedCount(check)).toBe(0);
    },
    SLOW,
  );

  test("root password login and password authentication are off; the deploy user logs in by key", async () => {
    expect(await inHost("sshd -T | grep -E '^(permitrootlogin|passwordauthentication|kbdinteractiveauthentication) ' | sort")).toBe(
      "kbdinteractiveauthentication no\npasswordauthentication no\npermitrootlogin without-password\n",
    );
    expect(passwordLogin(target, "root", ROOT_PASSWORD).code).not.toBe(0);
    expect(keyLogin(target, "deploy")).toMatchObject({ code: 0, stdout: "deploy\n" });
  });

  test("the deploy user can sudo without a password and run docker", async () => {
    const r = keyLogin(
      target,
      "deploy",
      "sudo -n true && echo sudo-ok && docker ps --format '{{.Names}}' && docker compose version --short",
    );
    expect(r.stderr).toBe("");
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/^sudo-ok\n2\.\d+\.\d+\S*\n$/);
  });

  test("ufw is active and filters: an allowed port answers from this machine, another one does not", async () => {
    expect(await inHost("ufw status verbose")).toMatch(
      /Status: active[\s\S]*Default: deny \(incoming\), allow \(outgoing\)[\s\S]*22\/tcp +ALLOW IN[\s\S]*443\/tcp +ALLOW IN[\s\S]*8443\/tcp +ALLOW IN/,
    );
    // Two listeners on the host: 8443 is allowed (firewall_allow_ports), 9999 is not.
    await inHost(
      "for p in 8443 9999; do systemd-run --quiet --unit=t-listen-$p python3 -m http.server $p --bind 0.0.0.0; done; for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:8443/ && curl -sf -o /dev/null http://127.0.0.1:9999/ && break; sleep 0.2; done",
    );
    try {
      expect(await inHost("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9999/")).toBe("200"); // the listener itself works
      const fromHere = (port: number) =>
        spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout", "5", `http://${host.ip}:${port}/`], {
          encoding: "utf8",
        });
      expect(fromHere(8443)).toMatchObject({ status: 0, stdout: "200" });
      expect(fromHere(9999)).toMatchObject({ status: 28, stdout: "000" }); // dropped: the connection times out
    } finally {
      await inHost("systemctl stop t-listen-8443 t-listen-9999");
    }
  });
});
