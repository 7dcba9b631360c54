/**
 * The demo's lab inventory (playbooks/lab/inventory.ts), without a lab: rendered for a made-up
 * lab, loaded back with bosun's inventory loader, and the dns-01 hooks run by this machine's sh.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { mask } from "../../lib/core/secrets.js";
import { loadInventory } from "../../lib/inventory/index.js";
import type { LabInfo } from "../../lib/lab/index.js";
import type { LabServices } from "../../lib/lab/services/index.js";
import { bootstrapSettings } from "../../playbooks/bootstrap/settings.js";
import { deploySettings } from "../../playbooks/deploy/vars.js";
import { LAB_BUNDLE_DIR, labDnsHooks, renderLabDemoInventory } from "../../playbooks/lab/inventory.js";
import { tlsSettings } from "../../playbooks/tls-renew/settings.js";

const PASSWORD = "lab-registry-pw-Yq3Zt7";
const services = {
  registry: { address: "registry.lab.test:5000", tlsAddress: "registry.lab.test", username: "lab", password: PASSWORD },
  composePlugin: { url: "http://files.lab.test/docker-compose-plugin.deb" },
  acme: {
    directoryUrl: "https://acme.lab.test:14000/dir",
    challtestUrl: "http://challtest.lab.test:8055",
    serverCaFile: "/x/.lab/services/acme/server-ca.pem",
  },
} as unknown as LabServices;

let dir: string;
let info: LabInfo;
let passwordFile: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-demo-inv-"));
  writeFileSync(
    path.join(dir, "id_ed25519.pub"),
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPANFQzeXunkEKtWbk7mgGO5nN8ZqmK89Q7hdQR+7xU4 bosun-lab\n",
  );
  passwordFile = path.join(dir, "registry-password");
  writeFileSync(passwordFile, PASSWORD, { mode: 0o600 });
  info = {
    name: "lab",
    variant: "fresh",
    keyPath: path.join(dir, "id_ed25519"),
    knownHostsPath: path.join(dir, "known_hosts"),
    inventoryPath: path.join(dir, "lab.yml"),
    hosts: [1, 2].map((i) => ({
      name: `lab${i}`,
      container: `bosun-lab${i}`,
      sshPort: 40000 + i,
      httpPort: 41000 + i,
      httpsPort: 42000 + i,
      ip: `172.18.0.${10 + i}`,
    })),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("demo lab inventory", () => {
  test("renderLabDemoInventory() loads as an inventory: hosts as the deploy user with sudo, the registry password from its file", async () => {
    writeFileSync(info.inventoryPath, renderLabDemoInventory(info, services, passwordFile));
    const inv = await loadInventory(info.inventoryPath);
    expect([...inv.hosts.keys()]).toEqual(["lab1", "lab2"]);
    const lab2 = inv.hosts.get("lab2")!;
    expect(lab2.connection).toMatchObject({
      kind: "ssh",
      host: "127.0.0.1",
      port: 40002,
      user: "deploy",
      privateKeyPath: info.keyPath,
      knownHostsPath: info.knownHostsPath,
    });
    expect(lab2.become).toEqual({ enabled: true });
    expect(lab2.groups).toContain("lab");
    expect(lab2.vars.registry_password).toBe(PASSWORD);
    expect(mask(`password ${PASSWORD}`)).toBe("password ***"); // read with !file: a secret
  });

  test("renderLabDemoInventory() gives each playbook what it needs, and only through variables", async () => {
    writeFileSync(info.inventoryPath, renderLabDemoInventory(info, services, passwordFile));
    const vars = (await loadInventory(info.inventoryPath)).hosts.get("lab1")!.vars;
    expect(bootstrapSettings(vars)).toMatchObject({
      deployUser: "deploy",
      daemonJson: { "insecure-registries": ["registry.lab.test:5000"] },
      appDir: "/srv/demo",
      appBundle: LAB_BUNDLE_DIR,
    });
    expect(bootstrapSettings(vars).composePluginDeb).toBeUndefined(); // no lab-only docker variable on the bootstrap → deploy path
    expect(deploySettings({ ...vars, tag: "v1" })).toMatchObject({
      appDir: "/srv/demo",
      registryImage: "registry.lab.test:5000/demo",
      registryUser: "lab",
    });
    const tls = tlsSettings(vars)!;
    expect(tls.certbot).toMatchObject({
      server: "https://acme.lab.test:14000/dir",
      certificates: [{ domains: ["lab1.lab.test", "*.lab1.lab.test"], authenticator: "manual" }],
    });
    expect(tls.acmeCaBundle).toBe("/x/.lab/services/acme/server-ca.pem");
    expect(tls.sites).toEqual([
      { name: "demo", serverNames: ["lab1.lab.test", "*.lab1.lab.test"], certName: "lab1.lab.test", upstream: "http://127.0.0.1:8080" },
    ]);
  });

  test("renderLabDemoInventory() for a stock image (which trusts the lab CA): the registry over HTTPS, no insecure-registries", async () => {
    const stock = { ...info, variant: "trixie" as const };
    writeFileSync(info.inventoryPath, renderLabDemoInventory(stock, services, passwordFile));
    const vars = (await loadInventory(info.inventoryPath)).hosts.get("lab1")!.vars;
    expect(bootstrapSettings(vars).daemonJson).toBeUndefined();
    expect(deploySettings({ ...vars, tag: "v1" })).toMatchObject({ registryImage: "registry.lab.test/demo", registryUser: "lab" });
  });

  test("labDnsHooks() publish and clear the _acme-challenge TXT record in challtestsrv, as certbot runs them with sh", () => {
    const hooks = labDnsHooks(services);
    // A curl stand-in that prints its arguments: what the hook would send, as sh expands it.
    const run = (hook: string) =>
      // controller-tools: sh (curl is a shell function here)
      spawnSync("sh", ["-c", `curl() { for a in "$@"; do printf '%s\\n' "$a"; done; }; ${hook}`], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, CERTBOT_DOMAIN: "lab1.lab.test", CERTBOT_VALIDATION: "Xk2-token_9" },
      }).stdout.split("\n");
    const add = run(hooks.auth_hook);
    expect(JSON.parse(add[add.indexOf("-d") + 1]!)).toEqual({ host: "_acme-challenge.lab1.lab.test.", value: "Xk2-token_9" });
    expect(add).toContain("http://challtest.lab.test:8055/set-txt");
    const clear = run(hooks.cleanup_hook);
    expect(JSON.parse(clear[clear.indexOf("-d") + 1]!)).toEqual({ host: "_acme-challenge.lab1.lab.test." });
    expect(clear).toContain("http://challtest.lab.test:8055/clear-txt");
  });
});
