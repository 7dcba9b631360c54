/**
 * TLS tasks on lab hosts over real SSH against the lab ACME CA (pebble + challtestsrv):
 * certificates by http-01 (webroot, standalone) and dns-01 (manual hooks; dns-cloudflare against a
 * local stand-in for the Cloudflare API), renewal inside the window, nginx serving HTTPS with them
 * (checked from the other lab host with curl and pebble's root), a broken vhost rejected while the
 * old one keeps serving.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { useLab } from "../../e2e/lab-fixture.js";
import { TaskRunner, expectConverges, type LabTarget, labTarget } from "../../e2e/task-harness.js";
import { servicesUp, addDnsRecord, type LabServices } from "../../../lib/lab/services/index.js";
import { certbotIssue, certbotRenew, nginxSite, NGINX_REJECTED } from "../../../lib/tasks/tls/index.js";
import { certificateExpiry, parseCertificateExpiry } from "../../../lib/facts/certificates.js";
import { secret } from "../../../lib/core/secrets.js";
import { aptSetupInstall } from "../../e2e/apt-setup.js";

const lab = useLab({ name: "t-tls", count: 2 });
const T = 180_000;
const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures");
const SERVER_CA = "/etc/ssl/lab-acme-server-ca.pem";
const ROOT = "/etc/ssl/lab-acme-root.pem";

let services: LabServices;
let web: TaskRunner;
let client: TaskRunner;
let name = "";
let ip = "";

const target = (i: number): LabTarget => labTarget(lab(), i);
const acme = () => ({ server: services.acme.directoryUrl, registerUnsafelyWithoutEmail: true, env: { REQUESTS_CA_BUNDLE: SERVER_CA } });
/** Lineages and the serial of each live certificate: what certbot tasks change. */
const lineages = () =>
  web.sh('cd /etc/letsencrypt/live 2>/dev/null && for n in */; do printf \'%s \' "$n"; openssl x509 -noout -serial -in "$n/cert.pem"; done')
    .stdout;
const serial = (lineage: string) => web.sh(`openssl x509 -noout -serial -in /etc/letsencrypt/live/${lineage}/cert.pem`).stdout.trim();
/** What the other lab host gets over HTTPS, verifying with pebble's root. */
const fetch = (host: string) => client.sh(`curl -sS --max-time 5 --cacert ${ROOT} --resolve ${host}:443:${ip} https://${host}/`);
/** Serial of the certificate nginx serves, as the other host sees it. */
const servedSerial = (host: string) =>
  client.sh(`echo | openssl s_client -connect ${ip}:443 -servername ${host} 2>/dev/null | openssl x509 -noout -serial`).stdout.trim();
const site = (body: string) =>
  nginxSite({ name: "site", template: path.join(FIXTURES, "tls-site.conf.hbs"), vars: { serverName: name, certName: "site", body } });

beforeAll(async () => {
  services = await servicesUp();
  web = new TaskRunner(target(0));
  client = new TaskRunner(target(1));
  name = `${lab().hosts[0]!.name}.lab.test`;
  ip = lab().hosts[0]!.ip;
  for (const n of [name, `www.${name}`, `alt.${name}`]) await addDnsRecord(n, ip);
  const fetchCa = `curl -fsS -o ${SERVER_CA} ${services.acme.serverCaUrl} && curl -fsS -o ${ROOT} ${services.acme.rootUrl}`;
  const setup = web.sh(`${aptSetupInstall("certbot python3-certbot-dns-cloudflare nginx")} && ${fetchCa}`);
  if (setup.code !== 0) throw new Error(`setup of ${web.target.name} failed: ${setup.stderr}`);
  const clientSetup = client.sh(fetchCa);
  if (clientSetup.code !== 0) throw new Error(`setup of ${client.target.name} failed: ${clientSetup.stderr}`);
}, 300_000);

afterAll(async () => {
  await web?.close();
  await client?.close();
});

describe("certbotIssue, nginxSite, certbotRenew against the lab ACME CA", () => {
  test(
    "certificateExpiry finds no certificate on a fresh host",
    () => {
      const r = web.sh(certificateExpiry.command({}).text);
      expect(parseCertificateExpiry(r.stdout)).toEqual([]);
    },
    T,
  );

  test(
    "certbotIssue() obtains a certificate with http-01 (webroot behind nginx), converging",
    async () => {
      const call = certbotIssue({
        ...acme(),
        domains: [name, `www.${name}`],
        certName: "site",
        authenticator: "webroot",
        webroot: "/var/www/html",
        deployHook: "systemctl reload nginx",
      });
      const { again } = await expectConverges(web, call, lineages);
      expect(again.message).toMatch(
        new RegExp(`^site \\(${name.replace(/\./g, "\\.")}, www\\.${name.replace(/\./g, "\\.")}\\) valid for 89 more day\\(s\\)$`),
      );
      const verify = web.sh(
        `cd /etc/letsencrypt/live/site && openssl verify -CAfile ${ROOT} -untrusted chain.pem cert.pem && openssl x509 -noout -ext subjectAltName -in cert.pem`,
      );
      expect(verify.stdout).toContain("cert.pem: OK");
      expect(verify.stdout).toContain(`DNS:${name}, DNS:www.${name}`);
    },
    T,
  );

  test(
    "nginxSite() serves HTTPS with it: converges, and the other host verifies it with pebble's root",
    async () => {
      const state = () => web.sh("cat /etc/nginx/sites-available/site 2>&1; readlink /etc/nginx/sites-enabled/site").stdout;
      await expectConverges(web, site("v1"), state);
      expect(state()).toContain(`ssl_certificate /etc/letsencrypt/live/site/fullchain.pem;`);
      expect(fetch(name).stdout).toBe("v1\n");
      expect(servedSerial(name)).toBe(serial("site"));
    },
    T,
  );

  test(
    "a broken vhost is rejected by nginx -t, the previous file is restored and keeps serving",
    async () => {
      const before = web.sh("sha256sum /etc/nginx/sites-available/site; readlink /etc/nginx/sites-enabled/site").stdout;
      const broken = await web.run(
        nginxSite({ name: "site", content: `server {\n    listen 443 ssl;\n    server_name ${name};\n    no_such_directive on;\n}\n` }),
      );
      expect(broken.failed).toBe(true);
      expect(broken.message).toContain('unknown directive "no_such_directive"');
      expect(broken.message).toContain(NGINX_REJECTED);
      expect(web.sh("sha256sum /etc/nginx/sites-available/site; readlink /etc/nginx/sites-enabled/site").stdout).toBe(before);
      expect(web.sh("ls /etc/nginx/sites-available | grep -c bosun || true").stdout.trim()).toBe("0");
      expect(fetch(name).stdout).toBe("v1\n");
      // A new site that breaks nginx -t leaves neither a file nor a link behind.
      const fresh = await web.run(nginxSite({ name: "other", content: "server { listen 8443 ssl; }\n" }));
      expect(fresh.failed).toBe(true);
      expect(web.sh("ls /etc/nginx/sites-available/other /etc/nginx/sites-enabled/other 2>&1 | grep -c 'No such file'").stdout.trim()).toBe(
        "2",
      );
      expect(fetch(name).stdout).toBe("v1\n");
    },
    T,
  );

  test(
    "nginxSite() with new content goes live after a reload",
    async () => {
      const r = await web.run(site("v2"));
      expect(r.status).toBe("changed");
      expect(r.diff).toContain('+        return 200 "v2\\n";');
      await waitFor(() => fetch(name).stdout === "v2\n");
    },
    T,
  );

  test(
    "certbotIssue() inside the renewal window renews, and its deploy hook reloads nginx",
    async () => {
      const old = serial("site");
      const call = certbotIssue({
        ...acme(),
        domains: [name, `www.${name}`],
        certName: "site",
        authenticator: "webroot",
        webroot: "/var/www/html",
        deployHook: "systemctl reload nginx",
        renewBeforeDays: 100,
      });
      const r = await web.run(call);
      expect(r.status).toBe("changed");
      expect(r.message).toMatch(/^reissue site: 89 day\(s\) left, renewing within 100$/);
      expect(serial("site")).not.toBe(old);
      await waitFor(() => servedSerial(name) === serial("site"));
      const again = await web.run(
        certbotIssue({
          ...acme(),
          domains: [name, `www.${name}`],
          certName: "site",
          authenticator: "webroot",
          webroot: "/var/www/html",
          deployHook: "systemctl reload nginx",
        }),
      );
      expect([again.status, again.commands]).toEqual(["ok", 1]);
    },
    T,
  );

  test(
    "certbotRenew() converges: renews what certbot's window says is due, then nothing",
    async () => {
      // 90 days minus 20 s: the live certificate (older than 20 s) is due, a fresh one is not.
      web.sh("sed -i 's/^#* *renew_before_expiry.*/renew_before_expiry = 7775980 seconds/' /etc/letsencrypt/renewal/site.conf");
      await sleep(21_000);
      const { applied } = await expectConverges(
        web,
        certbotRenew({ certName: "site", deployHook: "systemctl reload nginx", env: { REQUESTS_CA_BUNDLE: SERVER_CA } }),
        lineages,
      );
      expect(applied.message).toBe("renewed site");
      await waitFor(() => servedSerial(name) === serial("site"));
    },
    T,
  );

  test(
    "certbotRenew({ dryRun }) talks to the CA, saves nothing and reports ok",
    async () => {
      const before = lineages();
      const r = await web.run(certbotRenew({ dryRun: true, server: services.acme.directoryUrl, env: { REQUESTS_CA_BUNDLE: SERVER_CA } }));
      expect(r.failed ? r.message : r.status).toBe("ok");
      expect(r.message).toBe("dry run: renewal of site would succeed");
      expect(lineages()).toBe(before);
    },
    T,
  );

  test(
    "certbotIssue() obtains a certificate with http-01 (standalone, nginx stopped by hooks), converging",
    async () => {
      const call = certbotIssue({
        ...acme(),
        domains: [`alt.${name}`],
        authenticator: "standalone",
        keyType: "rsa",
        preHook: "systemctl stop nginx",
        postHook: "systemctl start nginx",
      });
      await expectConverges(web, call, lineages);
      expect(
        web.sh(`openssl x509 -noout -text -in /etc/letsencrypt/live/alt.${name}/cert.pem | grep -c 'rsaEncryption'`).stdout.trim(),
      ).toBe("1");
      expect(web.sh("systemctl is-active nginx").stdout.trim()).toBe("active");
    },
    T,
  );

  test(
    "certbotIssue() obtains a wildcard certificate with dns-01 through manual hooks against challtestsrv, converging",
    async () => {
      const hook = (endpoint: string, body: string) =>
        `#!/bin/sh\nexec curl -fsS -X POST -d "${body}" ${services.acme.challtestUrl}/${endpoint}\n`;
      web.sh(
        "mkdir -p /etc/letsencrypt/hooks && cat > /etc/letsencrypt/hooks/auth.sh && chmod 0755 /etc/letsencrypt/hooks/auth.sh",
        hook("set-txt", '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\",\\"value\\":\\"$CERTBOT_VALIDATION\\"}'),
      );
      web.sh(
        "cat > /etc/letsencrypt/hooks/cleanup.sh && chmod 0755 /etc/letsencrypt/hooks/cleanup.sh",
        hook("clear-txt", '{\\"host\\":\\"_acme-challenge.$CERTBOT_DOMAIN.\\"}'),
      );
      const domains = [`wild.${name}`, `*.wild.${name}`];
      const call = certbotIssue({
        ...acme(),
        domains,
        authenticator: "manual",
        authHook: "/etc/letsencrypt/hooks/auth.sh",
        cleanupHook: "/etc/letsencrypt/hooks/cleanup.sh",
      });
      await expectConverges(web, call, lineages);
      expect(web.sh(`openssl x509 -noout -ext subjectAltName -in /etc/letsencrypt/live/wild.${name}/cert.pem`).stdout).toContain(
        `DNS:wild.${name}, DNS:*.wild.${name}`,
      );
    },
    T,
  );

  test(
    "certbotIssue() with dns-cloudflare against a local stand-in for the Cloudflare API: token only in a 0600 file",
    async () => {
      const token = `cf-test-token-${Date.now()}`;
      web.sh("cat > /root/cloudflare-standin.py", readFileSync(path.join(FIXTURES, "cloudflare-standin.py"), "utf8"));
      const start = web.sh(
        `rm -f /root/cf.log; systemd-run --unit=cf-standin python3 /root/cloudflare-standin.py 8787 lab.test ${services.acme.challtestUrl} /root/cf.log && sleep 1`,
      );
      expect(start.code).toBe(0);
      const domains = [`cf.${name}`, `*.cf.${name}`];
      const call = certbotIssue({
        ...acme(),
        env: { REQUESTS_CA_BUNDLE: SERVER_CA, CLOUDFLARE_API_URL: "http://127.0.0.1:8787/client/v4" },
        domains,
        authenticator: "dns-cloudflare",
        cloudflareToken: secret(token),
        dnsPropagationSeconds: 1,
      });
      const commandsBefore = web.commands.length;
      await expectConverges(web, call, lineages);
      expect(web.sh(`stat -c '%a %U' /etc/letsencrypt/cloudflare/cf.${name}.ini`).stdout.trim()).toBe("600 root");
      expect(web.sh(`cat /etc/letsencrypt/cloudflare/cf.${name}.ini`).stdout).toContain(`dns_cloudflare_api_token = ${token}\n`);
      const requests = web
        .sh("cat /root/cf.log")
        .stdout.trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { method: string; path: string; authorization: string; body: { type?: string; name?: string } });
      expect(requests.filter((r) => r.method === "POST").map((r) => [r.body.type, r.body.name])).toEqual([
        ["TXT", `_acme-challenge.cf.${name}`],
        ["TXT", `_acme-challenge.cf.${name}`],
      ]);
      expect(requests.filter((r) => r.method === "DELETE")).toHaveLength(2);
      expect(new Set(requests.map((r) => r.authorization))).toEqual(new Set([`Bearer ${token}`]));
      expect(web.commands.slice(commandsBefore).join("\n")).not.toContain(token);
      // certbot logs its argv: the token was not in it.
      expect(
        Number(web.sh("cat /var/log/letsencrypt/letsencrypt.log* | grep 'Arguments:' | grep -c dns-cloudflare-credentials").stdout),
      ).toBeGreaterThan(0);
      expect(web.sh(`grep -rl ${token} /var/log/letsencrypt/ || true`).stdout).toBe("");
      web.sh("systemctl stop cf-standin");
    },
    T,
  );

  test(
    "certificateExpiry reports days left per certificate, and an error for a missing file",
    () => {
      const all = parseCertificateExpiry(web.sh(certificateExpiry.command({}).text).stdout);
      expect(all.map((c) => [c.name, c.daysLeft])).toEqual(
        [`alt.${name}`, `cf.${name}`, "site", `wild.${name}`].sort().map((n) => [n, 89]),
      );
      const some = parseCertificateExpiry(
        web.sh(certificateExpiry.command({ paths: ["/etc/letsencrypt/live/site/cert.pem", "/nope.pem"] }).text).stdout,
      );
      expect(some[0]).toMatchObject({ name: "site", daysLeft: 89 });
      expect(some[1]).toMatchObject({ name: "nope.pem", path: "/nope.pem" });
      expect(some[1]?.error).toBe("Could not open file or uri for loading certificate from /nope.pem");
    },
    T,
  );

  test(
    "nginxSite({ state: absent }) converges and nginx stops serving it",
    async () => {
      const state = () => web.sh("ls /etc/nginx/sites-available/site /etc/nginx/sites-enabled/site 2>&1").stdout;
      await expectConverges(web, nginxSite({ name: "site", state: "absent" }), state);
      await waitFor(() => fetch(name).stdout !== "v2\n");
    },
    T,
  );
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** nginx reloads asynchronously: poll briefly for what the reload must bring. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 10 s");
    await sleep(250);
  }
}
