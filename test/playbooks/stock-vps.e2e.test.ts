/**
 * Day one on a stock VPS: bootstrap on the lab's stock Debian 12 and 13 images (debootstrap from
 * Debian's mirror; nothing beyond what a provider's minimal image has: systemd, sshd, root's key),
 * with the inventory a user would write: host, root key, deploy user and keys, app_dir and bundle,
 * and `docker_source`. The only lab-specific value is `docker_repo_url` where Docker's repository
 * is used: download.docker.com is unreachable here, so the lab serves a STAND-IN for it at a URL a
 * user could equally set for a mirror (real layout, InRelease signed with a lab key whose URL is
 * `<url>/gpg` as Docker's; Debian's packages under Docker's names, see
 * lib/lab/services/docker-repo-packages.ts).
 * Each host: first run as root, the re-run as the deploy user changes nothing, and `docker compose
 * version` says v2 on the host; switching docker_source on a converged host changes nothing.
 * Debian 12 with docker_source: distro fails in --check before any change. Checks are plain
 * commands (docker exec, system ssh), never bosun's facts. Cases: bookworm with docker, trixie with
 * distro; trixie with docker runs end to end in stock-vps-demo.e2e.test.ts (its host is not shared:
 * a host keeps the docker it got first).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RunReport } from "../../lib/core/report.js";
import { loadInventory } from "../../lib/inventory/index.js";
import type { LabInfo, LabVariant } from "../../lib/lab/index.js";
import { ensureDockerRepo, servicesUp, type DockerRepoInfo } from "../../lib/lab/services/index.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { LAB_BUNDLE_DIR } from "../../playbooks/lab/inventory.js";
import { dockerExec, useLab } from "../e2e/lab-fixture.js";
import { keyLogin } from "../tasks/access/ssh-login.js";

const SLOW = 900_000;

let repo: DockerRepoInfo;
beforeAll(async () => {
  await servicesUp(); // files.lab.test serves the stand-in
  repo = await ensureDockerRepo();
}, SLOW);

const changedCount = (report: RunReport) => Object.values(report.stats).reduce((n, s) => n + s.changed, 0);
const changedTitles = (report: RunReport) =>
  report.plays
    .flatMap((p) => p.results)
    .filter((r) => r.changed)
    .map((r) => `${r.task}: ${r.title}`);

/** Run a shell command in the host's container as root (plain docker exec). */
async function inHost(container: string, command: string): Promise<string> {
  const r = await dockerExec(container, ["sh", "-c", command], { allowFailure: true });
  return `${r.stdout}${r.stderr}`;
}

/** The inventory a user writes for one VPS (plus the stand-in's URL as mirror when docker_source is docker). */
function writeInventory(info: LabInfo, dir: string, docker: Record<string, string>): string {
  const host = info.hosts[0]!;
  const file = path.join(dir, "vps.yml");
  const dockerVars = Object.entries(docker)
    .map(([k, v]) => `    ${k}: ${v}\n`)
    .join("");
  writeFileSync(
    file,
    `all:
  vars:
    ansible_user: deploy
    ansible_become: true
    ansible_ssh_private_key_file: ${info.keyPath}
    bosun_known_hosts: ${info.knownHostsPath}
    deploy_authorized_keys: ${JSON.stringify(readFileSync(`${info.keyPath}.pub`, "utf8").trim())}
${dockerVars}    app_dir: /srv/demo
    app_bundle_source: ${LAB_BUNDLE_DIR}
    app_env: { app_greeting: hello from a stock VPS }
  hosts:
    vps: { ansible_host: 127.0.0.1, ansible_port: ${host.sshPort} }
`,
  );
  return file;
}

interface StockCase {
  /** Lab variant (the stock image). */
  readonly variant: LabVariant;
  /** docker_source the inventory names. */
  readonly source: "docker" | "distro";
  /** Packages that must be installed afterwards. */
  readonly packages: readonly string[];
  /** The other source, set afterwards on the converged host (0 changes expected). */
  readonly other: "docker" | "distro";
}

const CASES: readonly StockCase[] = [
  {
    variant: "bookworm",
    source: "docker",
    packages: ["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"],
    other: "distro",
  },
  { variant: "trixie", source: "distro", packages: ["docker.io", "docker-compose"], other: "docker" },
  // trixie with docker_source: docker is stock-vps-demo.e2e.test.ts's, end to end (bootstrap → deploy → tls-renew, then distro changes nothing).
];

describe.each(CASES)("bootstrap on stock $variant with docker_source: $source", ({ variant, source, packages, other }) => {
  const lab = useLab({ name: `t-stock-${variant.slice(0, 4)}-${source.slice(0, 4)}`, variant });
  let dir: string;
  let inventoryFile: string;
  let container: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bosun-t-stock-"));
    container = lab().hosts[0]!.container;
    const docker: Record<string, string> =
      source === "docker" ? { docker_source: "docker", docker_repo_url: repo.url } : { docker_source: "distro" };
    inventoryFile = writeInventory(lab(), dir, docker);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  if (variant === "bookworm") {
    test(
      "docker_source: distro fails in --check before any change, naming the compose version and the ways out",
      async () => {
        const state = () => inHost(container, "dpkg -l | grep -c '^ii'; ls /etc/apt/sources.list.d /home; getent passwd deploy || true");
        const before = await state();
        const inventory = await loadInventory(inventoryFile);
        const report = await runPlaybook(bootstrap, {
          inventory,
          check: true,
          extraVars: { ansible_user: "root", docker_source: "distro" },
        });
        expect(report.exitCode).not.toBe(0);
        expect(report.hostErrors.vps).toMatch(/Debian 12 \(bookworm\)'s packages: .*docker-compose 1\.29\.2.*compose v1/);
        expect(report.hostErrors.vps).toMatch(/docker_source: docker/);
        expect(report.hostErrors.vps).toMatch(/Debian 13/);
        expect(await state()).toBe(before);
      },
      SLOW,
    );
  }

  test(
    "the first run as root converges the stock host, and the re-run as the deploy user changes nothing",
    async () => {
      expect(await inHost(container, "command -v curl sudo docker dockerd; echo none")).toBe("none\n");
      const inventory = await loadInventory(inventoryFile);
      const first = await runPlaybook(bootstrap, { inventory, extraVars: { ansible_user: "root" } });
      expect(first.hostErrors).toEqual({});
      expect(first.exitCode).toBe(0);
      expect(changedTitles(first)).toEqual(expect.arrayContaining(["docker.engine: docker engine, compose v2, log rotation"]));
      const again = await runPlaybook(bootstrap, { inventory });
      expect(again.hostErrors).toEqual({});
      expect(changedTitles(again)).toEqual([]);
      expect(changedCount(again)).toBe(0);
    },
    SLOW,
  );

  test("the deploy user runs docker and compose v2 on the host", () => {
    const r = keyLogin(
      { name: "vps", sshPort: lab().hosts[0]!.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath },
      "deploy",
      "docker compose version && docker info --format '{{.ServerVersion}} {{.LoggingDriver}}'",
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Docker Compose version v?2\.\d+\.\d+\S*\n\S+ json-file\n$/);
  });

  test(`the packages come from docker_source ${source}`, async () => {
    const listed = await inHost(container, `dpkg-query -W -f '\${Package} \${db:Status-Status}\\n' ${packages.join(" ")}`);
    expect(listed.split("\n").sort()).toEqual(["", ...packages.map((p) => `${p} installed`)].sort());
    const sources = await inHost(
      container,
      "cat /etc/apt/sources.list.d/docker.sources 2>&1; stat -c '%a' /etc/apt/keyrings/docker.asc 2>&1",
    );
    if (source === "docker") {
      expect(sources).toBe(
        `Types: deb\nURIs: ${repo.url}\nSuites: ${variant}\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n644\n`,
      );
      // apt verified the stand-in's InRelease with that key: its lists are there, from the stand-in's URL.
      const policy = await inHost(container, "LC_ALL=C apt-cache policy docker-compose-plugin");
      expect(policy).toContain(`${repo.url} ${variant}/stable amd64 Packages`);
      expect(policy).toMatch(/Installed: 2\.\d+\.\d+-1~debian\.1[23]~/);
    } else {
      expect(sources).toMatch(/No such file or directory\n.*No such file or directory\n$/);
    }
  });

  test(
    `switching docker_source to ${other} on the converged host changes nothing: the working engine is left alone`,
    async () => {
      const pkgs = () => inHost(container, "dpkg-query -W -f '${Package} ${Version}\\n' | sort; ls /etc/apt/sources.list.d");
      const before = await pkgs();
      const inventory = await loadInventory(inventoryFile);
      const extraVars = other === "docker" ? { docker_source: "docker", docker_repo_url: repo.url } : { docker_source: "distro" };
      const report = await runPlaybook(bootstrap, { inventory, extraVars });
      expect(report.hostErrors).toEqual({});
      expect(changedTitles(report)).toEqual([]);
      expect(await pkgs()).toBe(before);
    },
    SLOW,
  );
});
