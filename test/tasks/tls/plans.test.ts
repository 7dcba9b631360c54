import { certbotIssue, certbotRenew, nginxSite } from "../../../lib/tasks/tls/index.js";
import { reissueReason } from "../../../lib/tasks/tls/certbot-issue-plan.js";
import { parseSiteState } from "../../../lib/tasks/tls/nginx-site.js";
import { secret } from "../../../lib/core/secrets.js";
import { fakeHost } from "../../support/host.js";

const NOW = 1_795_333_399;
const lineage = (o: { name?: string; days?: number; domains?: string[]; keyType?: string }) =>
  [
    `@@lineage ${o.name ?? "web.lab.test"}`,
    `key_type = ${o.keyType ?? "ecdsa"}`,
    "server = https://acme.lab.test:14000/dir",
    "@@x509",
    `notAfter=${new Date((NOW + (o.days ?? 89) * 86400 + 100) * 1000).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, "$2 $1 $4 $3 GMT")}`,
    "X509v3 Subject Alternative Name: ",
    `    ${(o.domains ?? ["web.lab.test"]).map((d) => `DNS:${d}`).join(", ")}`,
  ].join("\n");
const state = (lineages: string[] = [], extra = "") => `@@certbot\n@@now\n${NOW}\n${lineages.join("\n")}\n${extra}`;

const base = {
  domains: ["web.lab.test"],
  authenticator: "standalone" as const,
  server: "https://acme.lab.test:14000/dir",
  registerUnsafelyWithoutEmail: true,
};

describe("certbotIssue plans", () => {
  test("certbotIssue() issues with certonly when there is no lineage", async () => {
    const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout: state() }) });
    const r = await host.run(certbotIssue({ ...base, env: { REQUESTS_CA_BUNDLE: "/etc/ssl/lab ca.pem" } }));
    expect(r).toMatchObject({ status: "changed", message: "issue web.lab.test for web.lab.test", commands: 1 });
    expect(r.output).toEqual({
      certName: "web.lab.test",
      fullchainPath: "/etc/letsencrypt/live/web.lab.test/fullchain.pem",
      privkeyPath: "/etc/letsencrypt/live/web.lab.test/privkey.pem",
    });
    expect(connection.executed).toHaveLength(1);
  });

  test("certbotIssue() is unchanged in one command while the certificate is outside the window", async () => {
    const { host, connection } = fakeHost({ respond: () => ({ stdout: state([lineage({ days: 89 })]) }) });
    const r = await host.run(certbotIssue(base));
    expect(r).toMatchObject({ status: "ok", message: "web.lab.test (web.lab.test) valid for 89 more day(s)", commands: 1 });
    expect(connection.executed).toHaveLength(1);
  });

  test("certbotIssue() reissues with --force-renewal inside the window, and on other names or key type", async () => {
    const { host, connection } = fakeHost({
      respond: (t) => ({ stdout: t.startsWith("env ") || t.includes("certonly") ? "" : state([lineage({ days: 89 })]) }),
    });
    const r = await host.run(certbotIssue({ ...base, renewBeforeDays: 100 }));
    expect(r.message).toBe("reissue web.lab.test: 89 day(s) left, renewing within 100");
    const cmd = connection.executed[1]?.text ?? "";
    expect(cmd).toContain(
      "certbot certonly --non-interactive --agree-tos --cert-name web.lab.test -d web.lab.test --key-type ecdsa --server https://acme.lab.test:14000/dir --register-unsafely-without-email --force-renewal --standalone",
    );
    const l = {
      name: "web.lab.test",
      domains: ["web.lab.test"],
      secondsLeft: 89 * 86400,
      daysLeft: 89,
      keyType: "ecdsa",
      renewBeforeDays: 30,
    };
    expect(reissueReason({ ...base, domains: ["web.lab.test", "www.web.lab.test"] }, l)).toBe(
      "names differ: web.lab.test -> web.lab.test, www.web.lab.test",
    );
    expect(reissueReason({ ...base, domains: ["WEB.lab.test"] }, l)).toBeUndefined();
    expect(reissueReason({ ...base, keyType: "rsa" }, l)).toBe("key type ecdsa -> rsa");
    expect(reissueReason({ ...base, server: "https://other/dir" }, { ...l, server: "https://acme.lab.test:14000/dir" })).toMatch(
      /^ACME server/,
    );
  });

  test("certbotIssue() with dns-cloudflare writes the token to a 0600 file on stdin, never into a command line", async () => {
    const token = "cf-token-0123456789abcdef";
    const { host, connection } = fakeHost({ respond: (t) => ({ stdout: t.includes("@@cred") ? state([], "@@cred\n") : "" }) });
    const r = await host.run(
      certbotIssue({
        domains: ["lab.test", "*.lab.test"],
        authenticator: "dns-cloudflare",
        cloudflareToken: token,
        dnsPropagationSeconds: 1,
        email: "ops@lab.test",
      }),
    );
    expect(r.status).toBe("changed");
    expect(r.message).toBe("write /etc/letsencrypt/cloudflare/lab.test.ini (0600); issue lab.test for lab.test, *.lab.test");
    // Check + apply: the 0600 write (token on stdin) and certbot run as one command.
    expect(connection.executed).toHaveLength(2);
    const apply = connection.executed[1];
    expect(apply?.stdin).toBe(`# Cloudflare API token for certbot (written by bosun)\ndns_cloudflare_api_token = ${token}\n`);
    expect(apply?.text).toContain("chmod 0600");
    expect(apply?.text).toContain(
      "--dns-cloudflare --dns-cloudflare-credentials /etc/letsencrypt/cloudflare/lab.test.ini --dns-cloudflare-propagation-seconds 1",
    );
    expect(apply?.text).toContain("'*.lab.test'");
    for (const c of connection.executed) expect(c.text).not.toContain(token);
    expect(JSON.stringify(r)).not.toContain(token);
  });

  test("certbotIssue() rewrites only the credentials file when the token changed", async () => {
    const { host } = fakeHost({
      check: true,
      respond: () => ({ stdout: state([lineage({ name: "lab.test", domains: ["lab.test"] })], "@@cred\nabc\n600\n") }),
    });
    const r = await host.run(
      certbotIssue({
        domains: ["lab.test"],
        authenticator: "dns-cloudflare",
        cloudflareToken: secret("new-token-xyz"),
        email: "ops@lab.test",
      }),
    );
    expect(r.message).toBe("update /etc/letsencrypt/cloudflare/lab.test.ini (0600)");
  });

  test("certbotIssue() fails with an install hint when certbot is missing", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: `@@now\n${NOW}\n` }) });
    const r = await host.run(certbotIssue(base)).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(/Cannot issue certificate "web\.lab\.test": certbot is not installed\n {2}hint: install it first/);
  });

  test.each([
    ["no domains", { ...base, domains: [] }, /parameter "domains" must name at least one domain/],
    ["an invalid domain", { ...base, domains: ["bad name"] }, /parameter "domains" has an invalid name "bad name"/],
    [
      "a wildcard over http-01",
      { ...base, domains: ["*.lab.test"] },
      /parameter "authenticator" must be "dns-cloudflare" or "manual" \(dns\) for the wildcard/,
    ],
    ["webroot without a path", { ...base, authenticator: "webroot" }, /parameter "webroot" is required/],
    ["manual without hooks", { ...base, authenticator: "manual" }, /parameter "authHook" is required/],
    ["dns-cloudflare without a token", { ...base, authenticator: "dns-cloudflare" }, /parameter "cloudflareToken" is required/],
    ["both email options", { ...base, email: "ops@lab.test" }, /exactly one of the parameters "email" and "registerUnsafelyWithoutEmail"/],
    ["a path as lineage name", { ...base, certName: "../etc" }, /parameter "certName"/],
    ["a bad env name", { ...base, env: { "BAD-NAME": "x" } }, /parameter "env" has an invalid variable name/],
    ["an unknown key type", { ...base, keyType: "dsa" }, /keyType/],
    ["an unknown authenticator", { ...base, authenticator: "http" }, /authenticator/],
    ["renewBeforeDays 0", { ...base, renewBeforeDays: 0 }, /parameter "renewBeforeDays" must be at least 1/],
    ["an unknown parameter", { ...base, bogus: 1 }, /unknown parameter "bogus"/],
  ])("certbotIssue() rejects %s, naming the parameter", (_label, p, message) => {
    expect(() => certbotIssue(p as never)).toThrow(/Cannot use tls\.certbotIssue: /);
    expect(() => certbotIssue(p as never)).toThrow(message);
  });
});

describe("certbotRenew plans", () => {
  test("certbotRenew() is unchanged in one command while nothing is due", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: state([lineage({ days: 60 })]) }) });
    const r = await host.run(certbotRenew({}));
    expect(r).toMatchObject({ status: "ok", message: "no certificate due for renewal (web.lab.test: 60 days left)", commands: 1 });
  });

  test("certbotRenew() renews what is due without the random sleep, with the deploy hook", async () => {
    const { host, connection } = fakeHost({
      respond: (t) => ({
        stdout: t.startsWith("certbot renew") ? "Congratulations, all renewals succeeded" : state([lineage({ days: 10 })]),
      }),
    });
    const r = await host.run(certbotRenew({ deployHook: "systemctl reload nginx" }));
    expect(r).toMatchObject({ status: "changed", message: "renewed web.lab.test", output: { lineages: ["web.lab.test"] } });
    expect(connection.executed[1]?.text).toBe(
      "certbot renew --non-interactive --no-random-sleep-on-renew --deploy-hook 'systemctl reload nginx'",
    );
  });

  test("certbotRenew({ dryRun }) runs --dry-run and reports ok", async () => {
    const { host, connection } = fakeHost({ respond: (t) => ({ stdout: t.includes("--dry-run") ? "" : state([lineage({ days: 60 })]) }) });
    const r = await host.run(certbotRenew({ dryRun: true, env: { REQUESTS_CA_BUNDLE: "/etc/ssl/ca.pem" } }));
    expect(r).toMatchObject({ status: "ok", message: "dry run: renewal of web.lab.test would succeed" });
    expect(connection.executed[1]?.text).toBe(
      "env REQUESTS_CA_BUNDLE=/etc/ssl/ca.pem certbot renew --non-interactive --no-random-sleep-on-renew --dry-run",
    );
    expect(certbotRenew({ dryRun: true, server: "https://acme.lab.test:14000/dir" }).params.server).toBe("https://acme.lab.test:14000/dir");
  });

  test("certbotRenew() fails for an unknown lineage, and rejects bad params", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: state() }) });
    const r = await host.run(certbotRenew({ certName: "nope" })).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(/Cannot renew certificate "nope": there is no such lineage/);
    expect(() => certbotRenew({ dryRun: true, force: true })).toThrow(
      /Cannot use tls\.certbotRenew: parameters "dryRun" and "force" cannot be combined/,
    );
    expect(() => certbotRenew({ force: "yes" } as never)).toThrow(/Cannot use tls\.certbotRenew: .*force/);
  });
});

describe("nginxSite plans", () => {
  const site = (o: { sha?: string; link?: string; active?: boolean; nginx?: boolean }) =>
    `@@nginx\n${o.nginx === false ? "" : "yes\n"}@@sha\n${o.sha ? `${o.sha}\n` : ""}@@link\n${o.link ?? ""}\n@@active\n${o.active === false ? "inactive" : "active"}\n`;

  test("parseSiteState() reads checksum, link and whether nginx runs", () => {
    expect(parseSiteState(site({ sha: "ab", link: "L/etc/nginx/sites-available/app" }))).toEqual({
      nginx: true,
      sha256: "ab",
      link: "/etc/nginx/sites-available/app",
      active: true,
    });
    expect(parseSiteState(site({ link: "F", active: false }))).toEqual({ nginx: true, link: "", active: false });
    expect(parseSiteState(`${site({})}@@content\nserver {}\n`).content).toBe("server {}\n");
  });

  test("nginxSite() writes, links, runs nginx -t and reloads in one command with the vhost on stdin", async () => {
    const { host, connection } = fakeHost({ respond: (t) => ({ stdout: t.startsWith("echo @@nginx") ? site({}) : "" }) });
    const r = await host.run(nginxSite({ name: "app", content: "server { listen 80; }\n" }));
    expect(r).toMatchObject({
      status: "changed",
      message: "write /etc/nginx/sites-available/app, enable site app; nginx -t, reload",
      commands: 2,
    });
    const apply = connection.executed[1];
    expect(apply?.stdin).toBe("server { listen 80; }\n");
    expect(apply?.text).toContain("if ! out=$(nginx -t 2>&1); then");
    expect(apply?.text).toContain("systemctl reload nginx");
  });

  test("nginxSite() refuses a file where the link goes, and fails with a hint without nginx", async () => {
    const file = fakeHost({ respond: () => ({ stdout: site({ link: "F" }) }) });
    const r1 = await file.host.run(nginxSite({ name: "app", content: "x" })).catch((e: { result: { message: string } }) => e.result);
    expect(r1.message).toMatch(/sites-enabled\/app is a file, not a link/);
    const none = fakeHost({ respond: () => ({ stdout: site({ nginx: false }) }) });
    const r2 = await none.host.run(nginxSite({ name: "app", content: "x" })).catch((e: { result: { message: string } }) => e.result);
    expect(r2.message).toMatch(/nginx is not installed\n {2}hint: install it first/);
  });

  test.each([
    ["a path as name", { name: "../x", content: "x" }, /parameter "name" must be a file name/],
    ["neither template nor content", { name: "app" }, /exactly one of the parameters "template" and "content"/],
    [
      "both template and content",
      { name: "app", content: "x", template: "t.hbs" },
      /exactly one of the parameters "template" and "content"/,
    ],
    ["content with state absent", { name: "app", state: "absent", content: "x" }, /do not go with state "absent"/],
    ["vars without a template", { name: "app", content: "x", vars: { a: 1 } }, /parameter "vars" works only with "template"/],
    ["a non-boolean reload", { name: "app", content: "x", reload: "yes" }, /reload/],
  ])("nginxSite() rejects %s, naming the parameter", (_label, p, message) => {
    expect(() => nginxSite(p as never)).toThrow(/Cannot use tls\.nginxSite: /);
    expect(() => nginxSite(p as never)).toThrow(message);
  });
});

describe("TLS tasks in check mode before their program is installed", () => {
  test("certbotIssue() and nginxSite() plan the change and say what is missing", async () => {
    const certbot = fakeHost({ check: true, respond: () => ({ stdout: `@@now\n${NOW}\n` }) });
    const r1 = await certbot.host.run(certbotIssue(base));
    expect(r1.message).toBe(
      "issue web.lab.test for web.lab.test; certbot is not installed yet, so applying fails unless an earlier task of this run provides it",
    );
    const nginx = fakeHost({ check: true, respond: () => ({ stdout: "@@nginx\n@@sha\n@@link\n@@active\ninactive\n" }) });
    const r2 = await nginx.host.run(nginxSite({ name: "app", content: "x" }));
    expect(r2.message).toBe(
      "write /etc/nginx/sites-available/app, enable site app; nginx -t, reload; nginx is not installed yet, so applying fails unless an earlier task of this run provides it",
    );
  });
});
