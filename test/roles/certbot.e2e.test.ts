/**
 * Roles `nginx` and `certbot` together on a fresh lab host over real SSH, against the lab ACME CA:
 * nginx (HTTP, ACME webroot) → certbot (webroot certificate, renewal timer, deploy hook) → nginx
 * again (HTTPS). --check first changes nothing, the first run converges, the second changes
 * nothing; the timer's own renewal renews a due certificate and nginx serves it. HTTPS is checked
 * from the other lab host with curl and pebble's root.
 */
import { servicesUp, addDnsRecord, type LabServices } from "../../lib/lab/services/index.js";
import type { TaskResult } from "../../lib/core/task.js";
import type { Host } from "../../lib/run/host.js";
import { nginxRole, type NginxRoleInput } from "../../roles/nginx/index.js";
import { certbotRole, type CertbotRoleInput, RELOAD_NGINX_HOOK } from "../../roles/certbot/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { TaskRunner, type LabTarget, labTarget } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-role-tls", count: 2 });
const SLOW = 300_000;
const SERVER_CA = "/etc/ssl/lab-acme-server-ca.pem";
const ROOT = "/etc/ssl/lab-acme-root.pem";

let services: LabServices;
let web: TaskRunner;
let client: TaskRunner;
let portal = "";
let ip = "";

const target = (i: number): LabTarget => labTarget(lab(), i);
const nginxInput = (): NginxRoleInput => ({ sites: [{ name: "portal", serverNames: [portal], upstream: "http://127.0.0.1:3000" }] });
const certbotInput = (): CertbotRoleInput => ({
  certificates: [{ domains: [portal] }],
  registerUnsafelyWithoutEmail: true,
  server: services.acme.directoryUrl,
  env: { REQUESTS_CA_BUNDLE: SERVER_CA },
  dryRun: true,
});
/** The three roles in the order a TLS playbook runs them. */
async function runAll(check: boolean): Promise<TaskResult[]> {
  const host: Pick<Host, "run"> = { run: (call) => web.run(call, { check }) };
  const first = await nginxRole(host, nginxInput());
  const certbot = await certbotRole(host, certbotInput());
  const second = await nginxRole(host, nginxInput());
  return [...first.results, ...certbot.results, ...second.results];
}
const state = () =>
  web.sh(
    "dpkg-query -W -f '${db:Status-Status} ' nginx certbot 2>&1; ls /etc/nginx/sites-enabled /etc/letsencrypt/live 2>&1; systemctl is-enabled certbot.timer 2>&1",
  ).stdout;
const https = () => client.sh(`curl -sS --max-time 5 --cacert ${ROOT} --resolve ${portal}:443:${ip} https://${portal}/`);
const serial = () => web.sh(`openssl x509 -noout -serial -in /etc/letsencrypt/live/${portal}/cert.pem`).stdout.trim();
const servedSerial = () =>
  client.sh(`echo | openssl s_client -connect ${ip}:443 -servername ${portal} 2>/dev/null | openssl x509 -noout -serial`).stdout.trim();

beforeAll(async () => {
  services = await servicesUp();
  web = new TaskRunner(target(0));
  client = new TaskRunner(target(1));
  portal = `portal.${lab().hosts[0]!.name}.lab.test`;
  ip = lab().hosts[0]!.ip;
  await addDnsRecord(portal, ip);
  const fetchCa = `curl -fsS -o ${SERVER_CA} ${services.acme.serverCaUrl} && curl -fsS -o ${ROOT} ${services.acme.rootUrl}`;
  const app =
    "mkdir -p /srv/portal && echo 'portal ok' > /srv/portal/index.html && systemd-run --unit=portal-app python3 -m http.server 3000 --bind 127.0.0.1 --directory /srv/portal >/dev/null 2>&1";
  for (const [runner, cmd] of [
    [web, `${fetchCa} && ${app}`],
    [client, fetchCa],
  ] as const) {
    const r = runner.sh(cmd);
    if (r.code !== 0) throw new Error(`setup of ${runner.target.name} failed: ${r.stderr}`);
  }
}, SLOW);
afterAll(async () => {
  await web?.close();
  await client?.close();
});

describe("roles nginx and certbot", () => {
  test(
    "--check on a fresh host reports what the roles would do and changes nothing",
    async () => {
      const before = state();
      const results = await runAll(true);
      expect(results.filter((r) => r.failed).map((r) => `${r.task}: ${r.message}`)).toEqual([]);
      expect(results.filter((r) => r.changed).map((r) => r.task)).toEqual(
        expect.arrayContaining(["packages.apt", "tls.nginxSite", "tls.certbotIssue", "services.service"]),
      );
      expect(state()).toBe(before);
    },
    SLOW,
  );

  test(
    "the roles install nginx and certbot, obtain the certificate over the ACME webroot, and serve HTTPS; a second run changes nothing and reports days left per certificate",
    async () => {
      const results = await runAll(false);
      expect(results.filter((r) => r.failed).map((r) => `${r.task}: ${r.message}`)).toEqual([]);
      expect(https().stdout).toBe("portal ok\n");
      const http = client.sh(
        `curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' --resolve ${portal}:80:${ip} http://${portal}/x`,
      ).stdout;
      expect(http).toBe(`301 https://${portal}/x`);
      expect(servedSerial()).toBe(serial());
      expect(
        web.sh("systemctl is-enabled certbot.timer; systemctl is-active certbot.timer; systemctl show certbot.service -p Environment")
          .stdout,
      ).toBe(`enabled\nactive\nEnvironment=REQUESTS_CA_BUNDLE=${SERVER_CA}\n`);
      expect(web.sh(`stat -c '%a' ${RELOAD_NGINX_HOOK}; ls /etc/nginx/sites-enabled`).stdout).toBe("755\nportal\n");

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const before = state();
      const host: Pick<Host, "run"> = { run: (call) => web.run(call) };
      const first = await nginxRole(host, nginxInput());
      const certbot = await certbotRole(host, certbotInput());
      const second = await nginxRole(host, nginxInput());
      const all = [...first.results, ...certbot.results, ...second.results];
      expect(all.filter((r) => r.status !== "ok").map((r) => `${r.task}: ${r.message}`)).toEqual([]);
      expect(second.tlsSites).toEqual(["portal"]);
      expect(certbot.expiry).toEqual([expect.objectContaining({ name: portal, daysLeft: 89 })]);
      expect(certbot.nextRenewal).not.toBe("");
      expect(state()).toBe(before);
    },
    SLOW,
  );

  test(
    "the renewal timer's service renews a due certificate from the lab CA and the deploy hook reloads nginx",
    async () => {
      const old = serial();
      // certbot's window: 90 days minus 20 s, so the live certificate (older than 20 s) is due.
      web.sh(`sed -i 's/^#* *renew_before_expiry.*/renew_before_expiry = 7775980 seconds/' /etc/letsencrypt/renewal/${portal}.conf`);
      const age = Number(
        web.sh(
          `echo $(( $(date +%s) - $(date -d "$(openssl x509 -noout -startdate -in /etc/letsencrypt/live/${portal}/cert.pem | cut -d= -f2)" +%s) ))`,
        ).stdout,
      );
      if (age < 21) await new Promise((r) => setTimeout(r, (21 - age) * 1000));
      const run = web.sh("systemctl start certbot.service; systemctl show certbot.service -p Result");
      expect(run.stdout).toBe("Result=success\n");
      expect(serial()).not.toBe(old);
      const deadline = Date.now() + 10_000;
      while (servedSerial() !== serial() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect(servedSerial()).toBe(serial());
      expect(https().stdout).toBe("portal ok\n");
    },
    SLOW,
  );
});
