/**
 * Day one end to end on STOCK Debian 13 and 12 images (lab variants `trixie` and `bookworm`:
 * debootstrap minbase with only systemd and sshd, no apt lists, root's key): `npm run demo`'s main
 * function, which is bootstrap as root, then site as the deploy user (bootstrap again with no
 * change → deploy v1 → tls-renew), ends with the app answering over HTTPS with a certificate from
 * the lab CA. Three ways docker comes: docker_source's default, trixie's own packages on Debian 13
 * and Docker's repository on Debian 12, and on Debian 13 `docker_source: docker` written by the
 * user in the inventory's group_vars. Docker's repository is the lab's STAND-IN for it, set as
 * docker_repo_url as a user sets a mirror (download.docker.com is unreachable here; it serves
 * bookworm and trixie), with bosun's apt pin checked through apt itself. The registry is the lab
 * registry over HTTPS (`registry.lab.test`, a certificate from the lab CA, which the stock images
 * carry in /usr/local/share/ca-certificates as a provider's image carries the public CAs), so the
 * inventory has no insecure-registries; the ACME CA is the lab's, a stand-in for Let's Encrypt. stock-vps.e2e.test.ts covers bootstrap alone with an
 * inventory that has nothing else (bookworm with docker, trixie with distro) and Debian 12's refusal of distro.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadInventory } from "../../lib/inventory/index.js";
import type { LabInfo, LabVariant } from "../../lib/lab/index.js";
import { ensureDockerRepo, type DockerRepoInfo } from "../../lib/lab/services/index.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { acmeRootStampFile } from "../../playbooks/lab/acme-epoch.js";
import { runDemoCaptured } from "../e2e/demo-run.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const SLOW = 900_000;

let repo: DockerRepoInfo;
beforeAll(async () => {
  repo = await ensureDockerRepo();
}, SLOW);

interface DemoCase {
  /** The stock image. */
  readonly variant: Extract<LabVariant, "bookworm" | "trixie">;
  /** Lab name (its containers and inventory). */
  readonly name: string;
  /** docker_source as the user writes it in group_vars beside the inventory; undefined: the distribution's default. */
  readonly source?: "docker" | "distro";
  /** Where docker comes from then. */
  readonly from: "docker" | "distro";
}

const CASES: readonly DemoCase[] = [
  { variant: "trixie", name: "t-stock-demo-t", from: "distro" },
  { variant: "bookworm", name: "t-stock-demo-b", from: "docker" },
  { variant: "trixie", name: "t-stock-demo-td", source: "docker", from: "docker" },
];

/** What dpkg lists of docker.io, docker-compose, docker-ce and docker-compose-plugin, and the apt sources, for each source. */
const INSTALLED = {
  distro: "docker-compose installed\ndocker\\.io installed\ndebian\\.sources\n",
  docker: "docker-ce installed\ndocker-compose-plugin installed\ndebian\\.sources\ndocker\\.sources\n",
} as const;

/** docker_source written as a user would, in `group_vars/all.yml` beside the lab's inventory (the demo rewrites only the inventory). */
function writeDockerSource(info: LabInfo, source: "docker" | "distro"): void {
  const dir = path.join(path.dirname(info.inventoryPath), "group_vars");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "all.yml"), `docker_source: ${source}\n`);
}

/** `text` as a regular expression that matches it literally. */
const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Run a shell command on the host as root over SSH; stdout and stderr together. */
async function onHost(info: LabInfo, command: string): Promise<string> {
  const r = await sshExec(info.hosts[0]!, command, { allowFailure: true });
  return `${r.stdout}${r.stderr}`;
}

describe.each(CASES)("stock $variant, docker from $from", ({ variant, name, source, from }) => {
  const lab = useLab({ name, count: 1, variant });

  test(
    `goes from root's key to the app over HTTPS (bootstrap → deploy → tls-renew) with compose v2 from ${source ? `docker_source: ${source}` : "docker_source's default"}; run again, nothing changes`,
    async () => {
      const host = lab().hosts[0]!;
      const bare = await sshExec(host, "command -v curl docker sudo; ls /var/lib/apt/lists | grep -c _Packages", { allowFailure: true });
      expect(bare.stdout).toBe("0\n");
      rmSync(acmeRootStampFile(name), { force: true });
      if (source) writeDockerSource(lab(), source);
      const { result } = await runDemoCaptured(name, variant);
      expect(result.runs.map((r) => r.label.split(":")[0])).toEqual([
        "bootstrap, first run as root",
        "site (bootstrap → deploy v1 → tls-renew)",
      ]);
      const [boot] = result.runs[1]!.report.plays;
      expect(boot!.results.filter((r) => r.changed).map((r) => r.title)).toEqual([]);
      expect(result.answer).toBe("v1");
      // The printed command: HTTPS on the host's published 443, only the lab CA trusted.
      // controller-tools: sh curl (the line the demo prints)
      const curl = spawnSync("sh", ["-c", result.curl], { encoding: "utf8" });
      expect(curl).toMatchObject({ status: 0, stdout: "v1\n" });
      const inside = await onHost(
        lab(),
        "su - deploy -c 'docker compose version'; dpkg-query -W -f '${Package} ${db:Status-Status}\\n' docker.io docker-compose docker-ce docker-compose-plugin 2>/dev/null | grep ' installed$'; ls /etc/apt/sources.list.d",
      );
      expect(inside).toMatch(new RegExp(`^Docker Compose version v?2\\.\\d+\\.\\d+\\S*\\n${INSTALLED[from]}$`));
      // The registry over HTTPS, trusted through the system store the lab CA joined when ca-certificates
      // was installed: no insecure-registries in the inventory nor on the host.
      const inventoryText = readFileSync(result.inventoryPath, "utf8");
      expect(inventoryText).not.toContain("insecure-registries");
      expect(inventoryText).toContain(`registry_image: ${result.services.registry.tlsAddress}/demo\n`);
      const trust = await onHost(
        lab(),
        "cat /etc/docker/daemon.json; readlink /etc/ssl/certs/bosun-lab-ca.pem; docker image ls --format '{{.Repository}}:{{.Tag}}' | grep /demo/app:",
      );
      expect(trust).not.toContain("insecure-registries");
      expect(trust).toContain("/usr/local/share/ca-certificates/bosun-lab-ca.crt\n");
      expect(trust).toMatch(/\nregistry\.lab\.test\/demo\/app:\S+\n/);

      const again = await runDemoCaptured(name, variant);
      expect(again.result.runs.map((r) => r.label.split(":")[0])).toEqual(["site (bootstrap → deploy v1 → tls-renew)"]);
      expect(again.result.changed).toBe(0);
    },
    SLOW,
  );

  if (from === "docker") {
    test("apt takes Docker's packages from the stand-in at the pin's priority, and will not install the distribution's docker.io", async () => {
      const pin = await onHost(lab(), "cat /etc/apt/preferences.d/docker.pref; stat -c '%a' /etc/apt/preferences.d/docker.pref");
      expect(pin).toContain(`Pin: origin "${new URL(repo.url).hostname}"\nPin-Priority: 900\n`);
      expect(pin).toMatch(/\n644\n$/);
      // apt's own view: the installed docker-ce is at 900 and comes from the stand-in; docker.io has no candidate.
      const policy = await onHost(lab(), "LC_ALL=C apt-cache policy docker-ce docker.io");
      expect(policy).toMatch(
        new RegExp(
          `docker-ce:\\n  Installed: (\\S+)\\n  Candidate: \\1\\n  Version table:\\n \\*\\*\\* \\1 900\\n +500 ${literal(repo.url)} ${variant}/stable amd64 Packages\\n`,
        ),
      );
      expect(policy).toMatch(/docker\.io:\n {2}Installed: \(none\)\n {2}Candidate: \(none\)\n/);
      const simulate = await onHost(lab(), 'LC_ALL=C apt-get -s install docker.io 2>&1; echo "exit $?"');
      expect(simulate).toMatch(/\nE: Package 'docker\.io' has no installation candidate\nexit 100\n$/);
      expect(await onHost(lab(), "dpkg-query -W -f '${db:Status-Status}\\n' docker-ce")).toBe("installed\n");
    });
  }

  if (source === "docker") {
    test(
      "docker_source: distro on the converged host changes nothing: the working engine is left alone",
      async () => {
        const state = () =>
          onHost(lab(), "dpkg-query -W -f '${Package} ${Version}\\n' | sort; ls /etc/apt/sources.list.d /etc/apt/preferences.d");
        const before = await state();
        writeDockerSource(lab(), "distro");
        const report = await runPlaybook(bootstrap, { inventory: await loadInventory(lab().inventoryPath) });
        expect(report.hostErrors).toEqual({});
        expect(
          report.plays
            .flatMap((p) => p.results)
            .filter((r) => r.changed)
            .map((r) => r.title),
        ).toEqual([]);
        expect(await state()).toBe(before);
      },
      SLOW,
    );
  }
});
