import { readFileSync } from "node:fs";
import { renderTemplate } from "../../lib/template/render.js";
import { NGINX_SITE_TEMPLATE, siteVars } from "../../roles/nginx/index.js";
import { firewallRolePorts } from "../../roles/firewall/index.js";
import { timerProblem } from "../../roles/certbot/index.js";

const render = (site: Parameters<typeof siteVars>[0], tls: boolean) =>
  renderTemplate(
    readFileSync(NGINX_SITE_TEMPLATE, "utf8"),
    { site: siteVars(site), tls, acmeWebroot: "/var/www/letsencrypt" },
    { name: "site.conf.hbs" },
  );

describe("role nginx", () => {
  test("the site template serves ACME challenges and proxies over HTTP until the certificate exists", () => {
    const text = render(
      { name: "portal", serverNames: ["portal.lab.test", "www.portal.lab.test"], upstream: "http://127.0.0.1:3000" },
      false,
    );
    expect(text).toContain("server_name portal.lab.test www.portal.lab.test;");
    expect(text).toContain("location /.well-known/acme-challenge/ {\n        root /var/www/letsencrypt;\n    }");
    expect(text).toContain("proxy_pass http://127.0.0.1:3000;");
    expect(text).not.toContain("ssl_certificate");
    expect(text).not.toContain("return 301");
  });

  test("with TLS the template redirects HTTP and serves HTTPS with the lineage's certificate", () => {
    const text = render(
      {
        name: "api",
        serverNames: ["api.lab.test"],
        locations: [{ path: "/identity/", upstream: "http://127.0.0.1:8081/" }],
        upstream: "http://127.0.0.1:8080",
        certName: "lab",
      },
      true,
    );
    expect(text).toContain("return 301 https://$host$request_uri;");
    expect(text).toContain("listen 443 ssl http2;");
    expect(text).toContain("ssl_certificate /etc/letsencrypt/live/lab/fullchain.pem;");
    expect(text.indexOf("location /identity/")).toBeLessThan(text.indexOf("location / {\n        proxy_pass"));
    // The application is served once, over HTTPS only.
    expect(text.match(/proxy_pass http:\/\/127\.0\.0\.1:8080;/g)).toHaveLength(1);
    expect(text.indexOf("proxy_pass http://127.0.0.1:8080;")).toBeGreaterThan(text.indexOf("listen 443"));
  });

  test("siteVars() fills in defaults and refuses a site with nothing to serve", () => {
    expect(siteVars({ name: "s", serverNames: ["*.lab.test"], root: "/srv/www" })).toEqual({
      name: "s",
      serverNames: ["*.lab.test"],
      certName: "lab.test",
      clientMaxBodySize: "10m",
      locations: [],
      root: "/srv/www",
    });
    expect(() => siteVars({ name: "s", serverNames: ["a.lab.test"] })).toThrow(
      /Cannot configure nginx site "s": give upstream, locations or root/,
    );
  });
});

describe("role firewall", () => {
  test("firewallRolePorts() opens web ports and the listed ones, TCP unless said otherwise", () => {
    expect(firewallRolePorts({ ports: [8080, "6000:6007", { port: 53, proto: "udp", from: "10.0.0.0/8" }] })).toEqual([
      { port: 80, proto: "tcp", comment: "http" },
      { port: 443, proto: "tcp", comment: "https" },
      { port: 8080, proto: "tcp" },
      { port: "6000:6007", proto: "tcp" },
      { port: 53, proto: "udp", from: "10.0.0.0/8" },
    ]);
    expect(firewallRolePorts({ web: false })).toEqual([]);
  });
});

describe("role certbot", () => {
  test("timerProblem() accepts an enabled, active, scheduled timer only", () => {
    const show = (o: Record<string, string>) =>
      Object.entries(o)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n");
    const ok = {
      LoadState: "loaded",
      ActiveState: "active",
      UnitFileState: "enabled",
      NextElapseUSecRealtime: "Mon 2026-11-23 06:12:00 UTC",
    };
    expect(timerProblem(show(ok))).toBeUndefined();
    expect(timerProblem(show({ ...ok, UnitFileState: "disabled" }))).toBe("certbot.timer is disabled");
    expect(timerProblem(show({ ...ok, ActiveState: "inactive" }))).toBe("certbot.timer is inactive");
    expect(timerProblem(show({ ...ok, NextElapseUSecRealtime: "" }))).toBe("certbot.timer has no next run scheduled");
    expect(timerProblem(show({ LoadState: "not-found" }))).toBeUndefined();
  });
});
