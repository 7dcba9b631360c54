/**
 * The lab services, proven with plain commands: the docker CLI on this machine, and curl,
 * certbot, psql from throwaway containers on the lab network (no lab host needed).
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runProcess, type ProcessResult } from "../../lib/lab/process.js";
import { parseSimulatedInstall } from "../../lib/lab/services/apt.js";
import {
  addDnsRecord,
  buildImage,
  clearDnsTxt,
  CLIENT_RECIPE,
  servicesStatus,
  servicesUp,
  setDnsTxt,
  type LabServices,
} from "../../lib/lab/services/index.js";

const PREFIX = "bosun-t-svc-";
let lab: LabServices;
let clientImage: string;
const tmpDirs: string[] = [];

const docker = (args: readonly string[], input?: string): Promise<ProcessResult> =>
  runProcess(["docker", ...args], { allowFailure: true, input });

function tmpDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), "bosun-svc-"));
  tmpDirs.push(d);
  return d;
}

/** Start a detached container `bosun-t-svc-<name>` on the lab network; returns its name. */
async function start(name: string, image: string, extra: readonly string[] = []): Promise<string> {
  const container = PREFIX + name;
  await docker(["rm", "-f", container]);
  const r = await docker(["run", "-d", "--init", "--name", container, "--network", lab.network, ...extra, image]);
  if (r.code !== 0) throw new Error(`Cannot start ${container}: ${r.stderr}`);
  return container;
}

/** Run `argv` in the shared client container. */
const client = (argv: readonly string[], input?: string) =>
  docker(["exec", ...(input === undefined ? [] : ["-i"]), PREFIX + "client", ...argv], input);

/** HTTP status of `url` fetched with curl from the client container (curl config, e.g. a user, on stdin). */
async function httpStatus(url: string, curlConfig = ""): Promise<string> {
  const r = await client(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-K", "-", url], curlConfig);
  return r.stdout.trim();
}

beforeAll(async () => {
  lab = await servicesUp();
  clientImage = await buildImage(CLIENT_RECIPE);
  await start("client", clientImage, ["-v", `${path.dirname(lab.acme.serverCaFile)}:/lab:ro`]);
}, 900_000);

afterAll(async () => {
  const r = await docker(["ps", "-aq", "--filter", `name=^${PREFIX}`]);
  const ids = r.stdout.split("\n").filter(Boolean);
  if (ids.length) await docker(["rm", "-f", ...ids]);
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
}, 120_000);

describe("private apt", () => {
  test("parseSimulatedInstall() reads name, version and arch of each Inst line, upgrades included", () => {
    const out = [
      "NOTE: This is only a simulation!",
      "Inst libc6 (2.36-9+deb12u10 Debian:12.10/stable, Debian-Security:12/stable-security [amd64])",
      "Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable-updates [all])",
      "Conf libc6 (2.36-9+deb12u10 Debian:12.10/stable [amd64])",
      "Inst busybox-static (1:1.35.0-4+b3 Debian:12.10/stable [amd64])",
    ].join("\n");
    expect(parseSimulatedInstall(out)).toEqual([
      { name: "libc6", version: "2.36-9+deb12u10", arch: "amd64" },
      { name: "tzdata", version: "2025b-0+deb12u1", arch: "all" },
      { name: "busybox-static", version: "1:1.35.0-4+b3", arch: "amd64" },
    ]);
  });
});

describe("lab services", () => {
  test("servicesUp() leaves every service running and answering on 127.0.0.1", async () => {
    const status = await servicesStatus();
    expect(status.map((s) => `${s.service}:${s.state}:${s.answering}`)).toEqual([
      "registry:running:true",
      "files:running:true",
      "acme:running:true",
      "challtest:running:true",
    ]);
  });

  test("servicesUp() run again keeps the running containers", async () => {
    const ids = async () => (await docker(["ps", "-q", "--filter", "label=lab.bosun.service"])).stdout.split("\n").sort();
    const before = await ids();
    await servicesUp();
    expect(await ids()).toEqual(before);
  });
});

describe("registry", () => {
  test("docker login with the lab credentials succeeds and a wrong password is refused", async () => {
    const cfg = tmpDir();
    const login = (password: string) =>
      docker(["--config", cfg, "login", lab.registry.localAddress, "-u", lab.registry.username, "--password-stdin"], password);
    const ok = await login(lab.registry.password);
    expect(ok.code).toBe(0);
    const bad = await login(lab.registry.password + "x");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unauthorized|401/i);
  });

  test("pulling demo/app:v1 works after login and is refused without", async () => {
    const ref = `${lab.registry.localAddress}/demo/app:v1`;
    const anonymous = await docker(["--config", tmpDir(), "pull", ref]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.stderr).toMatch(/no basic auth credentials|unauthorized/i);
    const cfg = tmpDir();
    await docker(
      ["--config", cfg, "login", lab.registry.localAddress, "-u", lab.registry.username, "--password-stdin"],
      lab.registry.password,
    );
    const pulled = await docker(["--config", cfg, "pull", ref]);
    expect(pulled.stderr).toBe("");
    expect(pulled.code).toBe(0);
  });

  test("registry.lab.test:5000 serves the pushed tags on the lab network, to authenticated clients only", async () => {
    const manifest = `http://${lab.registry.address}/v2/demo/app/manifests/v1`;
    expect(await httpStatus(manifest)).toBe("401");
    const user = `user = "${lab.registry.username}:${lab.registry.password}"\n`;
    for (const repoTag of [
      "app/manifests/v2",
      "app/manifests/v3",
      "app/manifests/broken",
      "migrator/manifests/v1",
      "postgres/manifests/15",
    ]) {
      expect(`${repoTag} ${await httpStatus(`http://${lab.registry.address}/v2/demo/${repoTag}`, user)}`).toBe(`${repoTag} 200`);
    }
  });
  test("registry.lab.test (443) serves the same registry over HTTPS with a certificate from the lab CA, and only that CA verifies it", async () => {
    await client(["sh", "-c", "cat > /tmp/lab-ca.pem"], readFileSync(lab.registry.caFile, "utf8"));
    const manifest = `https://${lab.registry.tlsAddress}/v2/demo/app/manifests/v1`;
    const user = `user = "${lab.registry.username}:${lab.registry.password}"\n`;
    expect(await httpStatus(manifest, 'cacert = "/tmp/lab-ca.pem"\n')).toBe("401");
    expect(await httpStatus(manifest, `cacert = "/tmp/lab-ca.pem"\n${user}`)).toBe("200");
    // Not trusted without the lab CA (curl's own store): the lab is not kinder than a VPS without it.
    const untrusted = await client(["curl", "-sS", "-o", "/dev/null", manifest]);
    expect(untrusted.stderr).toMatch(/certificate/i);
  });
});

describe("demo images", () => {
  const local = (repoTag: string) => `${lab.registry.localAddress}/demo/${repoTag}`;

  test("demo/app:v1 answers /version with v1 and /health, /api/ready with 200", async () => {
    await start("app-v1", local("app:v1"), ["--network-alias", "app-v1.svc.test"]);
    await client(["sh", "-c", "for i in $(seq 50); do curl -sf http://app-v1.svc.test:8080/health && exit 0; sleep 0.1; done; exit 1"]);
    expect((await client(["curl", "-s", "http://app-v1.svc.test:8080/version"])).stdout).toBe("v1\n");
    expect(await httpStatus("http://app-v1.svc.test:8080/health")).toBe("200");
    expect(await httpStatus("http://app-v1.svc.test:8080/api/ready")).toBe("200");
  });

  test("demo/app:broken passes /health and fails /api/ready", async () => {
    await start("app-broken", local("app:broken"), ["--network-alias", "app-broken.svc.test"]);
    await client(["sh", "-c", "for i in $(seq 50); do curl -sf http://app-broken.svc.test:8080/health && exit 0; sleep 0.1; done; exit 1"]);
    expect(await httpStatus("http://app-broken.svc.test:8080/health")).toBe("200");
    expect(await httpStatus("http://app-broken.svc.test:8080/api/ready")).toBe("500");
  });

  test("the app stops on SIGTERM by itself (exit 0, not killed after the timeout)", async () => {
    const c = await docker(["run", "-d", "--name", PREFIX + "app-stop", local("app:v2")]);
    expect(c.code).toBe(0);
    await docker(["stop", "-t", "5", PREFIX + "app-stop"]);
    const code = await docker(["inspect", "--format", "{{.State.ExitCode}}", PREFIX + "app-stop"]);
    expect(code.stdout.trim()).toBe("0");
  });

  test("the migrator migrates demo/postgres and fails on purpose with MIGRATE_FAIL=1", async () => {
    const password = "pw-" + Math.random().toString(36).slice(2);
    const db = await start("db", local("postgres:15"), ["--network-alias", "db.svc.test", "-e", `POSTGRES_PASSWORD=${password}`]);
    const migrate = (...env: string[]) =>
      docker([
        "run",
        "--rm",
        "--network",
        lab.network,
        "-e",
        "PGHOST=db.svc.test",
        "-e",
        `PGPASSWORD=${password}`,
        ...env.flatMap((e) => ["-e", e]),
        local("migrator:v2"),
      ]);
    const failed = await migrate("MIGRATE_FAIL=1");
    expect(failed.code).toBe(1);
    const ok = await migrate();
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const rows = await docker(["exec", db, "psql", "-U", "postgres", "-d", "app", "-Atc", "SELECT version FROM schema_migrations"]);
    expect(rows.stdout).toBe("v2\n");
    const dump = await docker(["exec", db, "pg_dump", "-U", "postgres", "app"]);
    expect(dump.stdout).toContain("seeded by v2");
  });
});

describe("compose plugin", () => {
  test("docker compose version works on this machine", async () => {
    const r = await docker(["compose", "version"]);
    expect(r.stdout).toMatch(/Docker Compose version v?2\./);
  });

  test("the compose plugin .deb is downloadable from files.lab.test", async () => {
    expect(lab.composePlugin.url).toBe("http://files.lab.test/docker-compose-plugin.deb");
    const r = await client(["sh", "-c", `curl -sf ${lab.composePlugin.url} | sha256sum`]);
    const local = createHash("sha256").update(readFileSync(lab.composePlugin.deb)).digest("hex");
    expect(r.stdout.split(" ")[0]).toBe(local);
  });
});

describe("ACME CA", () => {
  const certbot = ["certbot", "certonly", "--non-interactive", "--agree-tos", "-m", "admin@lab.test", "--no-eff-email"];

  /** Verify `domain`'s certificate against pebble's issuing root, and that it lasts 90 days, not 5 years. */
  async function expectValidCert(container: string, domain: string): Promise<void> {
    const live = `/etc/letsencrypt/live/${domain}`;
    const verify = await docker([
      "exec",
      container,
      "openssl",
      "verify",
      "-CAfile",
      "/lab/root.pem",
      "-untrusted",
      `${live}/chain.pem`,
      `${live}/cert.pem`,
    ]);
    expect(verify.stdout).toBe(`${live}/cert.pem: OK\n`);
    const days = (d: number) => ["exec", container, "openssl", "x509", "-noout", "-checkend", String(d * 86400), "-in", `${live}/cert.pem`];
    expect((await docker(days(89))).code).toBe(0);
    expect((await docker(days(91))).code).toBe(1);
  }

  test("certbot gets a certificate with http-01 (--standalone) after addDnsRecord", async () => {
    const domain = "web-http.svc.lab.test";
    const c = await start("certbot-http", clientImage, ["--network-alias", domain, "-v", `${path.dirname(lab.acme.serverCaFile)}:/lab:ro`]);
    const ip = (await docker(["inspect", "--format", `{{(index .NetworkSettings.Networks "${lab.network}").IPAddress}}`, c])).stdout.trim();
    await addDnsRecord(domain, ip);
    const r = await docker([
      "exec",
      "-e",
      "REQUESTS_CA_BUNDLE=/lab/server-ca.pem",
      c,
      ...certbot,
      "--standalone",
      "--server",
      lab.acme.directoryUrl,
      "-d",
      domain,
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    await expectValidCert(c, domain);
  });

  test("certbot gets a certificate with dns-01 through setDnsTxt", async () => {
    const domain = "web-dns.svc.lab.test";
    const shared = tmpDir();
    // The hook hands the challenge to this test, which publishes it with setDnsTxt.
    writeFileSync(
      path.join(shared, "auth.sh"),
      `#!/bin/sh
printf '%s %s\\n' "$CERTBOT_DOMAIN" "$CERTBOT_VALIDATION" > /shared/challenge.tmp
mv /shared/challenge.tmp /shared/challenge
for i in $(seq 300); do [ -e /shared/published ] && exit 0; sleep 0.1; done
exit 1
`,
    );
    chmodSync(path.join(shared, "auth.sh"), 0o755);
    const c = await start("certbot-dns", clientImage, ["-v", `${shared}:/shared`, "-v", `${path.dirname(lab.acme.serverCaFile)}:/lab:ro`]);
    const run = docker([
      "exec",
      "-e",
      "REQUESTS_CA_BUNDLE=/lab/server-ca.pem",
      c,
      ...certbot,
      "--manual",
      "--preferred-challenges",
      "dns",
      "--manual-auth-hook",
      "/shared/auth.sh",
      "--server",
      lab.acme.directoryUrl,
      "-d",
      domain,
    ]);
    const challenge = path.join(shared, "challenge");
    for (let i = 0; i < 600 && !existsSync(challenge); i++) await new Promise((r) => setTimeout(r, 100));
    const [name, value] = readFileSync(challenge, "utf8").trim().split(" ");
    expect(name).toBe(domain);
    await setDnsTxt(`_acme-challenge.${domain}`, value ?? "");
    writeFileSync(path.join(shared, "published"), "");
    const r = await run;
    await clearDnsTxt(`_acme-challenge.${domain}`);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    await expectValidCert(c, domain);
  });

  test("pebble's issuing root and the server CA are downloadable from files.lab.test", async () => {
    const root = await client(["curl", "-sf", lab.acme.rootUrl]);
    expect(root.stdout).toBe(readFileSync(lab.acme.rootFile, "utf8"));
    const ca = await client(["curl", "-sf", lab.acme.serverCaUrl]);
    expect(ca.stdout).toBe(readFileSync(lab.acme.serverCaFile, "utf8"));
  });
});
