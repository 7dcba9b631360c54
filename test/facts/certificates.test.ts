import {
  parseEnddate,
  parseSubjectAltNames,
  parseCertificateExpiry,
  parseCertbotState,
  parseRenewBefore,
  certificateExpiry,
  certbotStateCommand,
} from "../../lib/facts/certificates.js";

const NOW = Date.UTC(2026, 10, 22, 7, 43, 13) / 1000; // Nov 22 2026 07:43:13 UTC

describe("certificate facts", () => {
  test("parseEnddate() reads openssl's notAfter line, single-digit days included", () => {
    expect(parseEnddate("notAfter=Feb 20 07:43:13 2027 GMT")?.toISOString()).toBe("2027-02-20T07:43:13.000Z");
    expect(parseEnddate("notAfter=Mar  2 00:00:00 2027 GMT")?.toISOString()).toBe("2027-03-02T00:00:00.000Z");
    expect(parseEnddate("Could not open file or uri for loading certificate")).toBeUndefined();
  });

  test("parseSubjectAltNames() lists the DNS names, wildcards included", () => {
    expect(
      parseSubjectAltNames(
        "notAfter=Feb 20 07:43:42 2027 GMT\nX509v3 Subject Alternative Name: \n    DNS:wild.lab.test, DNS:*.wild.lab.test, IP Address:127.0.0.1\n",
      ),
    ).toEqual(["wild.lab.test", "*.wild.lab.test"]);
    expect(parseSubjectAltNames("No extensions in certificate\n")).toEqual([]);
  });

  test("certificateExpiry parses days left per certificate, and says which could not be read", () => {
    const out = `@@now\n${NOW}\n@@cert /etc/letsencrypt/live/web/cert.pem\nnotAfter=Feb 20 07:43:13 2027 GMT\n@@cert /etc/ssl/old.pem\nnotAfter=Nov 20 07:43:13 2026 GMT\n@@cert /etc/ssl/missing.pem\nCould not open file or uri for loading certificate from /etc/ssl/missing.pem\n40C7:error:80000002:system library:file_open:No such file or directory\n`;
    expect(parseCertificateExpiry(out)).toEqual([
      { name: "web", path: "/etc/letsencrypt/live/web/cert.pem", notAfter: "2027-02-20T07:43:13.000Z", daysLeft: 90 },
      { name: "old.pem", path: "/etc/ssl/old.pem", notAfter: "2026-11-20T07:43:13.000Z", daysLeft: -2 },
      {
        name: "missing.pem",
        path: "/etc/ssl/missing.pem",
        error: "Could not open file or uri for loading certificate from /etc/ssl/missing.pem",
      },
    ]);
    expect(parseCertificateExpiry(`@@now\n${NOW}\n`)).toEqual([]);
    expect(() => parseCertificateExpiry("sh: date: not found\n")).toThrow(/unexpected output/);
  });

  test("certificateExpiry reads every live certbot certificate by default, or the given paths quoted", () => {
    expect(certificateExpiry.command({}).text).toContain('for p in /etc/letsencrypt/live/*/cert.pem; do if [ -e "$p" ]');
    expect(certificateExpiry.command({ paths: ["/etc/ssl/my cert.pem"] }).text).toContain("for p in '/etc/ssl/my cert.pem'; do");
  });

  test("certbotState parses lineages: names, expiry, key type, server, renewal window", () => {
    const out = [
      "@@certbot",
      "@@now",
      String(NOW),
      "@@lineage web",
      "key_type = ecdsa",
      "server = https://acme.lab.test:14000/dir?x=1",
      "authenticator = standalone",
      "@@x509",
      "notAfter=Feb 20 07:43:13 2027 GMT",
      "X509v3 Subject Alternative Name: ",
      "    DNS:web.lab.test, DNS:www.web.lab.test",
      "@@lineage broken",
      "renew_before_expiry = 2 weeks",
      "",
    ].join("\n");
    expect(parseCertbotState(out)).toEqual({
      installed: true,
      now: NOW,
      lineages: [
        {
          name: "web",
          domains: ["web.lab.test", "www.web.lab.test"],
          notAfter: "2027-02-20T07:43:13.000Z",
          secondsLeft: 90 * 86400,
          daysLeft: 90,
          keyType: "ecdsa",
          server: "https://acme.lab.test:14000/dir?x=1",
          authenticator: "standalone",
          renewBeforeDays: 30,
        },
        { name: "broken", domains: [], renewBeforeDays: 14 },
      ],
    });
    expect(parseCertbotState(`@@now\n${NOW}\n`)).toEqual({ installed: false, now: NOW, lineages: [] });
    expect(() => parseCertbotState("@@unreadable\n@@now\n1\n")).toThrow(/permission denied \(run with sudo\)/);
  });

  test("parseRenewBefore() understands certbot's intervals", () => {
    expect(parseRenewBefore("30 days")).toBe(30);
    expect(parseRenewBefore("2 weeks")).toBe(14);
    expect(parseRenewBefore("48h")).toBe(2);
    expect(parseRenewBefore("7776000 seconds")).toBe(90);
    expect(parseRenewBefore("3 fortnights")).toBeUndefined();
    expect(parseRenewBefore(undefined)).toBeUndefined();
  });

  test("certbotStateCommand() quotes the lineage name", () => {
    expect(certbotStateCommand("web").text).toContain("for c in /etc/letsencrypt/renewal/web.conf;");
    expect(certbotStateCommand().text).toContain("for c in /etc/letsencrypt/renewal/*.conf;");
  });
});
