/**
 * Day one end to end on a STOCK Debian 13 image (lab variant `trixie`: debootstrap minbase with
 * only systemd and sshd, no apt lists, root's key): `npm run demo`'s main function, which is
 * bootstrap as root, then site as the deploy user (bootstrap again with no change → deploy v1 →
 * tls-renew), ends with the app answering over HTTPS with a certificate from the lab CA. Docker
 * comes from trixie's own packages (docker_source's default on Debian 13: nothing docker-specific
 * in the inventory). The lab-specific variables are those of every demo: the lab registry (plain
 * HTTP, so insecure-registries) and the lab ACME CA stand-in for Let's Encrypt.
 * stock-vps.e2e.test.ts covers bootstrap on the other variants (bookworm with Docker's repository,
 * trixie with Docker's repository).
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { runDemo, type DemoResult } from "../../demo.js";
import type { TextSink } from "../../lib/cli/output.js";
import { acmeRootStampFile } from "../../playbooks/lab/acme-epoch.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const NAME = "t-stock-demo";
const lab = useLab({ name: NAME, count: 1, variant: "trixie" });
const SLOW = 900_000;

function demo(): Promise<{ result: DemoResult; out: string }> {
  let out = "";
  const sink: TextSink = { write: (t: string) => ((out += t), true) };
  return runDemo({
    name: NAME,
    count: 1,
    variant: "trixie",
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

test(
  "a stock trixie host goes from root's key to the app over HTTPS (bootstrap → deploy → tls-renew), compose v2 from trixie's packages; run again, nothing changes",
  async () => {
    const host = lab().hosts[0]!;
    expect(
      (await sshExec(host, "command -v curl docker sudo; ls /var/lib/apt/lists | grep -c _Packages", { allowFailure: true })).stdout,
    ).toBe("0\n");
    rmSync(acmeRootStampFile(NAME), { force: true });
    const { result } = await demo();
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
      "su - deploy -c 'docker compose version'; dpkg-query -W -f '${Package} ${db:Status-Status}\\n' docker.io docker-compose; ls /etc/apt/sources.list.d",
    );
    expect(inside.stdout).toMatch(
      /^Docker Compose version v?2\.\d+\.\d+\S*\ndocker-compose installed\ndocker\.io installed\ndebian\.sources\n$/,
    );

    const again = await demo();
    expect(again.result.runs.map((r) => r.label.split(":")[0])).toEqual(["site (bootstrap → deploy v1 → tls-renew)"]);
    expect(again.result.changed).toBe(0);
  },
  SLOW,
);
