/**
 * The README's main command, `npm run demo`: its main function end to end on a lab of its own —
 * bootstrap (first run as root), then site as the deploy user (bootstrap again: no change →
 * deploy v1 → tls-renew) — ending with an HTTPS URL on 127.0.0.1 that answers with the lab CA;
 * run again, it changes nothing. The lab uses the `docker` image
 * variant to save docker.io's install (bootstrap.e2e.test.ts proves the fresh path); everything
 * else is what `npm run demo` does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { acmeRootStampFile } from "../../playbooks/lab/acme-epoch.js";
import { runDemoCaptured } from "../e2e/demo-run.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const NAME = "t-demo";
const lab = useLab({ name: NAME, count: 1, variant: "docker" });
const SLOW = 600_000;

describe("npm run demo", () => {
  test(
    "bootstraps the fresh lab host as root, deploys v1 and serves it over HTTPS with a certificate from the lab CA; run again, it changes nothing",
    async () => {
      lab();
      rmSync(acmeRootStampFile(NAME), { force: true }); // a stamp of an earlier test run's lab
      const { result, out } = await runDemoCaptured(NAME, "docker");
      expect(result.runs.map((r) => r.label.split(":")[0])).toEqual([
        "bootstrap, first run as root",
        "site (bootstrap → deploy v1 → tls-renew)",
      ]);
      expect(result.changed).toBeGreaterThan(20);
      // site's bootstrap, now as the deploy user with sudo, found nothing left to do
      const [boot, dep, tls] = result.runs[1]!.report.plays;
      expect([boot?.name, dep?.name, tls?.name]).toEqual(["bootstrap", "deploy", "tls-renew"]);
      expect(boot!.results.filter((r) => r.changed).map((r) => r.title)).toEqual([]);
      expect(boot!.results.length).toBeGreaterThan(15);
      expect(result.answer).toBe("v1");
      expect(existsSync(result.inventoryPath)).toBe(true);
      expect(out).toContain(result.curl);
      expect(out).toContain("npm run lab -- status");
      // The printed command works as printed (from the repository root), with only the lab CA trusted.
      // controller-tools: sh curl (the line the demo prints)
      const curl = spawnSync("sh", ["-c", result.curl], { encoding: "utf8" });
      expect(curl).toMatchObject({ status: 0, stdout: "v1\n" });
      // From inside the host: the app runs from the lab registry under the deploy user's bundle.
      const host = result.info.hosts[0]!;
      const inside = await sshExec(
        host,
        "curl -s http://127.0.0.1:8080/version; grep -c . /srv/demo/.bosun/releases.jsonl; stat -c %U /srv/demo",
      );
      expect(inside.stdout).toBe("v1\n1\ndeploy\n");

      // Run again right after, in the same test (so it cannot pass against a lab some other run converged):
      // it reuses the lab, logs in as the deploy user and changes nothing.
      const again = await runDemoCaptured(NAME, "docker");
      expect(again.result.runs.map((r) => r.label.split(":")[0])).toEqual(["site (bootstrap → deploy v1 → tls-renew)"]);
      expect(again.result.runs[0]!.report.exitCode).toBe(0);
      expect(again.result.changed).toBe(0);
      expect(again.out).toContain("nothing changed");
      expect(again.result.answer).toBe("v1");
    },
    SLOW,
  );

  test(
    "after the lab CA restarted (another root), it forgets certbot's accounts and reissues the certificates",
    async () => {
      // What the demo remembers of the CA it got the certificates from: pretend it was another one.
      writeFileSync(acmeRootStampFile(NAME), "0".repeat(64) + "\n");
      const host = lab().hosts[0]!;
      const serial = async () =>
        (await sshExec(host, "openssl x509 -noout -serial -in /etc/letsencrypt/live/t-demo1.lab.test/cert.pem")).stdout;
      const before = await serial();
      const { result } = await runDemoCaptured(NAME, "docker");
      expect(result.runs.map((r) => r.label.split(":")[0])).toEqual([
        "the lab CA restarted since the last demo (new root, no accounts)",
        "site (bootstrap → deploy v1 → tls-renew)",
      ]);
      const site = result.runs[1]!.report;
      expect(
        site.plays
          .flatMap((p) => p.results)
          .filter((r) => r.changed)
          .map((r) => r.task),
      ).toEqual(["tls.certbotIssue"]);
      expect(await serial()).not.toBe(before);
      expect(result.answer).toBe("v1");
      expect((await sshExec(host, "ls /etc/letsencrypt/accounts")).stdout).not.toBe("");
      // and the next run is quiet again
      expect((await runDemoCaptured(NAME, "docker")).result.changed).toBe(0);
    },
    SLOW,
  );
});
