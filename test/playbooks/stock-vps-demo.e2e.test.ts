/**
 * Day one end to end on STOCK Debian 13 and 12 images (lab variants `trixie` and `bookworm`:
 * debootstrap minbase with only systemd and sshd, no apt lists, root's key): `npm run demo`'s main
 * function, which is bootstrap as root, then site as the deploy user (bootstrap again with no
 * change → deploy v1 → tls-renew), ends with the app answering over HTTPS with a certificate from
 * the lab CA. Docker comes from docker_source's default: trixie's own packages on Debian 13,
 * Docker's repository on Debian 12 — through the lab's STAND-IN for it, set as docker_repo_url as
 * a user sets a mirror (download.docker.com is unreachable here). The other lab-specific variables
 * are those of every demo: the lab registry (plain HTTP, so insecure-registries) and the lab ACME
 * CA, a stand-in for Let's Encrypt. stock-vps.e2e.test.ts covers bootstrap with each docker_source.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { runDemo, type DemoResult } from "../../demo.js";
import type { TextSink } from "../../lib/cli/output.js";
import type { LabVariant } from "../../lib/lab/index.js";
import { ensureDockerRepo } from "../../lib/lab/services/index.js";
import { acmeRootStampFile } from "../../playbooks/lab/acme-epoch.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const SLOW = 900_000;

beforeAll(() => ensureDockerRepo(), SLOW);

function demo(name: string, variant: LabVariant): Promise<{ result: DemoResult; out: string }> {
  let out = "";
  const sink: TextSink = { write: (t: string) => ((out += t), true) };
  return runDemo({
    name,
    count: 1,
    variant,
    progress: "none",
    out: sink,
    ...(process.env.BOSUN_LAB_RUN_ID ? { owner: process.env.BOSUN_LAB_RUN_ID } : {}),
  }).then(
    (result) => ({ result, out }),
    (error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${out}`);
    },
  );
}

const CASES = [
  { variant: "trixie", name: "t-stock-demo-t", docker: "docker-compose installed\ndocker\\.io installed\ndebian\\.sources\n" },
  {
    variant: "bookworm",
    name: "t-stock-demo-b",
    docker: "docker-ce installed\ndocker-compose-plugin installed\ndebian\\.sources\ndocker\\.sources\n",
  },
] as const;

describe.each(CASES)("stock $variant", ({ variant, name, docker }) => {
  const lab = useLab({ name, count: 1, variant });

  test(
    "goes from root's key to the app over HTTPS (bootstrap → deploy → tls-renew) with compose v2 from docker_source's default; run again, nothing changes",
    async () => {
      const host = lab().hosts[0]!;
      const bare = await sshExec(host, "command -v curl docker sudo; ls /var/lib/apt/lists | grep -c _Packages", { allowFailure: true });
      expect(bare.stdout).toBe("0\n");
      rmSync(acmeRootStampFile(name), { force: true });
      const { result } = await demo(name, variant);
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
      const inside = await sshExec(
        host,
        "su - deploy -c 'docker compose version'; dpkg-query -W -f '${Package} ${db:Status-Status}\\n' docker.io docker-compose docker-ce docker-compose-plugin 2>/dev/null | grep ' installed$'; ls /etc/apt/sources.list.d",
        { allowFailure: true },
      );
      expect(inside.stdout).toMatch(new RegExp(`^Docker Compose version v?2\\.\\d+\\.\\d+\\S*\\n${docker}$`));

      const again = await demo(name, variant);
      expect(again.result.runs.map((r) => r.label.split(":")[0])).toEqual(["site (bootstrap → deploy v1 → tls-renew)"]);
      expect(again.result.changed).toBe(0);
    },
    SLOW,
  );
});
