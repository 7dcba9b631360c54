import { readFileSync } from "node:fs";
import { parseInventory } from "../../lib/inventory/index.js";
import { deploySettings } from "../../playbooks/deploy/vars.js";
import { BosunError } from "../../lib/core/errors.js";
import { mask, Secret } from "../../lib/core/secrets.js";
import type { CertificateExpiry } from "../../lib/facts/certificates.js";
import { belowThreshold, certificateDays, describeExpiry, expiryAlertText } from "../../playbooks/tls-renew/expiry.js";
import { ACME_CA_BUNDLE_PATH, tlsSettings } from "../../playbooks/tls-renew/settings.js";
import { fakeHost } from "../support/host.js";

const CF_TOKEN = "cf-unit-token-Zt8Kq2Lm";
const WILDCARD = { domains: ["example.org", "*.example.org"], authenticator: "dns-cloudflare", cloudflare_token: CF_TOKEN };

function problem(vars: Record<string, unknown>): string {
  try {
    tlsSettings(vars, "cfa2");
  } catch (error) {
    return (error as BosunError).describe();
  }
  return "no error";
}

const cert = (name: string, daysLeft?: number): CertificateExpiry =>
  daysLeft === undefined
    ? { name, path: `/etc/letsencrypt/live/${name}/cert.pem`, error: "unable to load certificate" }
    : { name, path: `/etc/letsencrypt/live/${name}/cert.pem`, daysLeft, notAfter: "2027-02-20T07:43:13.000Z" };

describe("tls-renew settings", () => {
  test("tlsSettings() is undefined for a host without tls_certificates: nothing to do there", () => {
    expect(tlsSettings({ app_dir: "/srv/cfa" })).toBeUndefined();
    expect(tlsSettings({ tls_certificates: [] })).toBeUndefined();
  });

  test("tlsSettings() maps the inventory's snake_case variables to the certbot and nginx roles", () => {
    const s = tlsSettings({
      tls_email: "ops@example.org",
      tls_certificates: [WILDCARD],
      tls_sites: [
        {
          name: "portal",
          server_names: ["portal.example.org"],
          cert_name: "example.org",
          upstream: "http://127.0.0.1:3000",
          client_max_body_size: "50m",
        },
      ],
      tls_alert_webhook: "https://hooks.example.org/T000/B000",
    })!;
    expect(s.certbot).toMatchObject({
      email: "ops@example.org",
      renewBeforeDays: 30,
      dryRun: true,
      certificates: [{ domains: ["example.org", "*.example.org"], authenticator: "dns-cloudflare" }],
    });
    expect(s.certbot.certificates[0]!.cloudflareToken).toBeInstanceOf(Secret);
    expect(mask(`dns_cloudflare_api_token = ${CF_TOKEN}`)).toBe("dns_cloudflare_api_token = ***");
    expect(s.certbot.env).toBeUndefined();
    expect(s.sites).toEqual([
      {
        name: "portal",
        serverNames: ["portal.example.org"],
        certName: "example.org",
        upstream: "http://127.0.0.1:3000",
        clientMaxBodySize: "50m",
      },
    ]);
    expect(s.alertDays).toBe(14);
    expect(s.alert).toMatchObject({ kind: "webhook" });
  });

  test("tlsSettings() with a private CA: its bundle goes to the host and certbot trusts it through REQUESTS_CA_BUNDLE", () => {
    const s = tlsSettings({
      tls_email: "demo@lab.test",
      acme_server: "https://acme.lab.test:14000/dir",
      acme_ca_bundle: ".lab/services/acme/server-ca.pem",
      tls_certificates: [{ domains: ["lab1.lab.test"], authenticator: "manual", auth_hook: "hook add", cleanup_hook: "hook rm" }],
      tls_renew_before_days: 60,
      tls_dry_run: false,
      tls_alert_days: 7,
      tls_alert_telegram: { bot_token: "123456:ABCdef", chat_id: -100123, api_base: "http://127.0.0.1:9999" },
    })!;
    expect(s.acmeCaBundle).toBe(".lab/services/acme/server-ca.pem");
    expect(s.certbot).toMatchObject({
      server: "https://acme.lab.test:14000/dir",
      env: { REQUESTS_CA_BUNDLE: ACME_CA_BUNDLE_PATH },
      renewBeforeDays: 60,
      dryRun: false,
    });
    expect(s.certbot.certificates[0]).toEqual({
      domains: ["lab1.lab.test"],
      authenticator: "manual",
      authHook: "hook add",
      cleanupHook: "hook rm",
    });
    expect(s.alert).toMatchObject({ kind: "telegram", chatId: -100123, apiBase: "http://127.0.0.1:9999" });
    expect(s.alertDays).toBe(7);
  });

  test("tlsSettings() refuses bad variables, naming them", () => {
    expect(problem({ tls_certificates: [WILDCARD] })).toContain("tls_email is not set");
    expect(problem({ tls_email: "ops@example.org", tls_certificates: [{ ...WILDCARD, token: "x" }] })).toContain(
      'unknown variable "tls_certificates.0.token"',
    );
    expect(problem({ tls_email: "ops@example.org", tls_certificates: [{ domains: [] }] })).toContain("tls_certificates.0.domains");
    expect(problem({ tls_email: "ops@example.org", tls_certificates: [WILDCARD], tls_sites: [{ name: "x" }] })).toContain(
      'missing required variable "tls_sites.0.server_names"',
    );
    expect(problem({ tls_email: "ops", tls_certificates: [WILDCARD] })).toContain('variable "tls_email"');
    expect(
      problem({
        tls_email: "ops@example.org",
        tls_certificates: [WILDCARD],
        tls_alert_webhook: "https://h.example.org",
        tls_alert_telegram: { bot_token: "1:a", chat_id: 1 },
      }),
    ).toContain("exclude each other");
  });
});

describe("tls-renew expiry", () => {
  test("belowThreshold() picks certificates with fewer days than the threshold, and unreadable ones", () => {
    const certs = [cert("a", 60), cert("b", 13), cert("c", 14), cert("d")];
    expect(belowThreshold(certs, 14).map((c) => c.name)).toEqual(["b", "d"]);
    expect(belowThreshold(certs, 0).map((c) => c.name)).toEqual(["d"]);
  });

  test("describeExpiry() and expiryAlertText() say which certificate has how long", () => {
    expect(describeExpiry(cert("example.org", 9))).toBe("example.org: 9 day(s) left (until 2027-02-20)");
    expect(describeExpiry(cert("old.example.org", -2))).toBe("old.example.org: EXPIRED 2 day(s) ago (until 2027-02-20)");
    expect(describeExpiry(cert("broken"))).toBe("broken: unreadable (unable to load certificate)");
    expect(expiryAlertText("cfa2", [cert("example.org", 9)], 14)).toBe(
      "[cfa2] TLS certificates below 14 days:\n- example.org: 9 day(s) left (until 2027-02-20)",
    );
  });

  test("certificateDays() reports the days without a remote command, and fails below the threshold only with failBelow", async () => {
    const { host, connection } = fakeHost();
    const ok = await host.run(certificateDays({ certificates: [cert("example.org", 60)], alertDays: 14, failBelow: true }));
    expect(ok).toMatchObject({
      status: "ok",
      commands: 0,
      message: "example.org: 60 day(s) left (until 2027-02-20)",
      output: { below: [] },
    });
    const below = await host.run(certificateDays({ certificates: [cert("example.org", 9)], alertDays: 14 }));
    expect(below).toMatchObject({ status: "ok", output: { below: [{ name: "example.org" }] } });
    await expect(host.run(certificateDays({ certificates: [cert("example.org", 9)], alertDays: 14, failBelow: true }))).rejects.toThrow(
      /Certificates below 14 days: example.org: 9 day\(s\) left/,
    );
    expect(connection.executed).toHaveLength(0);
  });
});

describe("inventory/cfa2.yml without CLOUDFLARE_API_TOKEN", () => {
  test("loads; deploy does not need the token, and the TLS settings name it and where the inventory asks for it", () => {
    const text = readFileSync("inventory/cfa2.yml", "utf8").replace(/!file \S+/g, '"ssh-ed25519 AAAA k"');
    const vars = parseInventory(text, "inventory/cfa2.yml", { env: { CI_REGISTRY_PASSWORD: "p" } }).hosts.get("cfa2")!.vars;
    expect(deploySettings({ ...vars, tag: "sha-abc123" }, "cfa2").tag).toBe("sha-abc123");
    expect(problem(vars)).toMatch(
      /Cannot renew TLS certificates: variable "tls_certificates\.0\.cloudflare_token": environment variable "CLOUDFLARE_API_TOKEN" is not set \(!env at inventory\/cfa2\.yml:\d+:\d+\)\n {2}hint: export CLOUDFLARE_API_TOKEN=\.\.\. before running the playbook/,
    );
  });
});
