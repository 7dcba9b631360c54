/**
 * The tls-renew playbook on a fresh lab host against the lab's ACME CA (pebble; dns-01 through
 * challtestsrv, as the demo inventory does it), with the expiry alert going to a local webhook
 * receiver on this machine (the `notify` task runs on the controller). The host is checked with
 * plain commands: TLS handshakes from this machine through the host's published 443, and ssh.
 */
import { readFileSync } from "node:fs";
import tls from "node:tls";
import type { RunReport } from "../../lib/core/report.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { inventoryFromHosts } from "../../lib/inventory/index.js";
import type { Inventory, Vars } from "../../lib/inventory/types.js";
import type { LabHost } from "../../lib/lab/index.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { labFqdn, labHostVars } from "../../playbooks/lab/inventory.js";
import { tlsRenew } from "../../playbooks/tls-renew/playbook.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";
import { startStandIn, type StandIn } from "../support/stand-ins/server.js";

const lab = useLab({ name: "t-pb-tls", count: 1 });
const SLOW = 300_000;

let services: LabServices;
let host: LabHost;
let fqdn: string;
let inventory: Inventory;
let webhook: StandIn;

async function sh(command: string): Promise<string> {
  const r = await sshExec(host, command, { allowFailure: true });
  return `${r.stdout}${r.stderr}`;
}
const run = (extraVars: Vars = {}, check = false): Promise<RunReport> => runPlaybook(tlsRenew, { inventory, extraVars, check });
const results = (report: RunReport) => report.plays.flatMap((p) => p.results);
const changedTitles = (report: RunReport) =>
  results(report)
    .filter((r) => r.changed)
    .map((r) => r.title);

/** The certificate the host serves on 443 (through 127.0.0.1), verified against the lab CA's root only. */
function served(): Promise<{ authorized: boolean; serial: string; issuer: string; altNames: string }> {
  const ca = readFileSync(services.acme.rootFile, "utf8");
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: host.httpsPort, servername: fqdn, ca, timeout: 10_000 }, () => {
      const cert = socket.getPeerCertificate();
      resolve({
        authorized: socket.authorized,
        serial: cert.serialNumber,
        issuer: String(cert.issuer.CN ?? ""),
        altNames: cert.subjectaltname ?? "",
      });
      socket.end();
    });
    socket.on("error", reject);
    socket.on("timeout", () => socket.destroy(new Error("TLS handshake timed out")));
  });
}
const nginxPid = async () => (await sh("systemctl show -p MainPID --value nginx")).trim();

beforeAll(async () => {
  services = await servicesUp();
  const info = lab();
  host = info.hosts[0]!;
  fqdn = labFqdn(host);
  webhook = await startStandIn(() => ({ status: 200, json: { ok: true } }));
  inventory = inventoryFromHosts(
    { [host.name]: labHostVars(host, services) },
    {
      vars: {
        ansible_user: "root",
        ansible_ssh_private_key_file: info.keyPath,
        bosun_known_hosts: info.knownHostsPath,
        tls_email: "tls-test@lab.test",
        acme_server: services.acme.directoryUrl,
        acme_ca_bundle: services.acme.serverCaFile,
      },
    },
  );
}, SLOW);
afterAll(() => webhook?.close());

describe("playbook tls-renew", () => {
  test(
    "--check on the fresh host reports the changes and changes nothing",
    async () => {
      const state = () => sh("command -v nginx certbot; ls /etc/letsencrypt /etc/ssl/bosun /etc/nginx 2>&1 | sort");
      const before = await state();
      const report = await run({}, true);
      expect(report.hostErrors).toEqual({});
      expect(changedTitles(report)).toEqual(
        expect.arrayContaining(["apt present nginx", "apt present certbot", `certificate ${fqdn} (${fqdn}, *.${fqdn})`]),
      );
      expect(await state()).toBe(before);
      expect(before).not.toContain("certbot");
    },
    SLOW,
  );

  test(
    "the first run gets a certificate from the lab CA that nginx serves, with the renewal timer, the deploy hook and a dry run; a second run changes nothing",
    async () => {
      const report = await run();
      expect(report.hostErrors).toEqual({});
      expect(report.exitCode).toBe(0);
      expect(results(report).find((r) => r.task === "tls.certbotRenew")).toMatchObject({
        status: "ok",
        message: expect.stringContaining("dry run: renewal"),
      });
      const cert = await served();
      expect(cert).toMatchObject({ authorized: true, issuer: expect.stringMatching(/^Pebble Intermediate CA/) });
      expect(cert.altNames).toContain(`DNS:*.${fqdn}`);
      expect(await sh("systemctl is-enabled certbot.timer; systemctl is-active certbot.timer")).toBe("enabled\nactive\n");
      expect(await sh(`grep -E '^(renew_hook|server) ' /etc/letsencrypt/renewal/${fqdn}.conf | sort`)).toBe(
        `renew_hook = /etc/letsencrypt/renewal-hooks/deploy/bosun-reload-nginx\nserver = ${services.acme.directoryUrl}\n`,
      );
      expect(results(report).find((r) => r.task === "tls.certificateDays")?.message).toMatch(
        new RegExp(`^${fqdn.replace(/\./g, "\\.")}: (89|90) day\\(s\\) left`),
      );
      expect(webhook.requests).toEqual([]);

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const again = await run();
      expect(again.hostErrors).toEqual({});
      expect(changedTitles(again)).toEqual([]);
    },
    SLOW,
  );

  test(
    "inside the renewal window the certificate is renewed and nginx reloaded (not restarted) by the deploy hook",
    async () => {
      const before = await served();
      const pid = await nginxPid();
      const report = await run({ tls_renew_before_days: 100 });
      expect(report.hostErrors).toEqual({});
      expect(changedTitles(report)).toEqual([`certificate ${fqdn} (${fqdn}, *.${fqdn})`]);
      const after = await served();
      expect(after.authorized).toBe(true);
      expect(after.serial).not.toBe(before.serial);
      expect(await nginxPid()).toBe(pid);
      expect(changedTitles(await run({ tls_dry_run: false }))).toEqual([]);
    },
    SLOW,
  );

  test(
    "below the alert threshold: the run fails without a target, and alerts the webhook with one",
    async () => {
      // (no renewal dry run in these two: it proves nothing about the alert and costs a round trip to the CA)
      const silent = await run({ tls_alert_days: 100, tls_dry_run: false });
      expect(silent.exitCode).toBe(2);
      expect(silent.hostErrors[host.name]).toContain("Certificates below 100 days");
      expect(webhook.requests).toEqual([]);

      const alerted = await run({ tls_alert_days: 100, tls_dry_run: false, tls_alert_webhook: `${webhook.url}/hooks/tls` });
      expect(alerted.hostErrors).toEqual({});
      // The host's own expiry timer follows: its threshold (watch.conf) and the webhook (root-only secret file).
      expect(changedTitles(alerted)).toEqual([
        "expiry alert (1 below 100 days)",
        "file /etc/bosun/tls-watch/watch.conf",
        "/etc/bosun/tls-watch/secret (root only)",
      ]);
      expect(await sh("grep ALERT_DAYS /etc/bosun/tls-watch/watch.conf; stat -c '%U %a' /etc/bosun/tls-watch/secret")).toBe(
        "ALERT_DAYS=100\nroot 600\n",
      );
      expect(webhook.requests).toHaveLength(1);
      const [req] = webhook.requests;
      expect(req).toMatchObject({ method: "POST", path: "/hooks/tls" });
      expect((req!.json as { text: string }).text).toMatch(
        new RegExp(`^\\[${host.name}\\] TLS certificates below 100 days:\\n- ${fqdn.replace(/\./g, "\\.")}: (89|90) day\\(s\\) left`),
      );
    },
    SLOW,
  );
});
