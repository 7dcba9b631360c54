/**
 * The lab's side of the playbooks: the variables that point the real playbooks (bootstrap, deploy,
 * tls-renew) at the lab services, written into the lab inventory. Everything lab-specific lives
 * here and in the generated inventory; the playbooks only read variables.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Document, Scalar } from "yaml";
import type { LabHost, LabInfo } from "../../lib/lab/index.js";
import { LAB_DIR, LAB_DOMAIN } from "../../lib/lab/index.js";
import type { LabServices } from "../../lib/lab/services/index.js";
import { dockerRepoInfo } from "../../lib/lab/services/docker-repo.js";
import { trustsLabCa } from "../../lib/lab/image-stock.js";
import type { Vars } from "../../lib/inventory/types.js";

/** The demo's compose bundle (synced by bootstrap). */
export const LAB_BUNDLE_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "bundle");

/** Where the demo keeps the registry password for the inventory's `!file` (0600, git-ignored). */
export const LAB_REGISTRY_PASSWORD_FILE = path.join(LAB_DIR, "demo", "registry-password");

/** The demo app's directory on the lab hosts. */
export const LAB_APP_DIR = "/srv/demo";

/** The deploy user the demo creates. */
export const LAB_DEPLOY_USER = "deploy";

/** A host's DNS name on the lab network: `lab1.lab.test`. */
export function labFqdn(host: Pick<LabHost, "name">): string {
  return `${host.name}.${LAB_DOMAIN}`;
}

/**
 * certbot's manual dns-01 hooks for the lab: publish (and clear) `_acme-challenge` TXT records in
 * challtestsrv, which pebble resolves every name with. Run by certbot on the host (sh -c), so
 * they also work for renewals by the timer and for dry runs.
 */
export function labDnsHooks(services: Pick<LabServices, "acme">): { auth_hook: string; cleanup_hook: string } {
  const api = services.acme.challtestUrl;
  const name = '\\"_acme-challenge.$CERTBOT_DOMAIN.\\"';
  return {
    auth_hook: `curl -fsS -o /dev/null -d "{\\"host\\":${name},\\"value\\":\\"$CERTBOT_VALIDATION\\"}" ${api}/set-txt`,
    cleanup_hook: `curl -fsS -o /dev/null -d "{\\"host\\":${name}}" ${api}/clear-txt`,
  };
}

/** Variables of one lab host: how to reach it, and its certificate and vhost (wildcard, dns-01). */
export function labHostVars(host: LabHost, services: Pick<LabServices, "acme">): Vars {
  const fqdn = labFqdn(host);
  return {
    ansible_host: "127.0.0.1",
    ansible_port: host.sshPort,
    lab_container: host.container,
    lab_http_port: host.httpPort,
    lab_https_port: host.httpsPort,
    lab_ip: host.ip,
    tls_certificates: [{ domains: [fqdn, `*.${fqdn}`], authenticator: "manual", ...labDnsHooks(services) }],
    tls_sites: [{ name: "demo", server_names: [fqdn, `*.${fqdn}`], cert_name: fqdn, upstream: "http://127.0.0.1:8080" }],
  };
}

/**
 * Variables of every lab host: the deploy user, the lab services, the demo bundle and release settings.
 * Hosts of the stock images trust the lab CA as a VPS trusts public CAs, so they use the registry
 * over HTTPS (`registry.lab.test`) with no lab-only docker setting; the other variants use its
 * plain-HTTP address, which docker accepts only as an insecure registry.
 */
export function labGroupVars(
  info: Pick<LabInfo, "keyPath" | "knownHostsPath"> & Partial<Pick<LabInfo, "variant">>,
  services: LabServices,
): Vars {
  const tls = trustsLabCa(info.variant);
  const registry = tls ? services.registry.tlsAddress : services.registry.address;
  return {
    ansible_user: LAB_DEPLOY_USER,
    ansible_become: true,
    ansible_ssh_private_key_file: info.keyPath,
    bosun_known_hosts: info.knownHostsPath,
    // bootstrap
    deploy_user: LAB_DEPLOY_USER,
    deploy_authorized_keys: readFileSync(`${info.keyPath}.pub`, "utf8").trim(),
    timezone: "Etc/UTC",
    // docker: the lab's docker variant already runs docker.io with compose v2, which bootstrap leaves
    // alone; where docker must come from Docker's repository (docker_source's default on Debian 12),
    // the lab's stand-in for it, set as a user sets a mirror (ensureDockerRepo builds it).
    docker_repo_url: dockerRepoInfo().url,
    ...(tls ? {} : { docker_daemon_json: { "insecure-registries": [services.registry.address] } }),
    app_dir: LAB_APP_DIR,
    app_bundle_source: LAB_BUNDLE_DIR,
    app_env: { app_greeting: "hello from the bosun lab" },
    // deploy
    registry_image: `${registry}/demo`,
    registry_user: services.registry.username,
    registry_password: "(set below as !file)",
    readiness: [
      { service: "app", url: "http://127.0.0.1:8080/api/ready", status: 200, timeoutSeconds: 60 },
      { service: "app", url: "http://127.0.0.1:8080/health", status: 200, timeoutSeconds: 10 },
    ],
    keep_images: 2,
    // tls-renew
    tls_email: "demo@lab.test",
    acme_server: services.acme.directoryUrl,
    acme_ca_bundle: services.acme.serverCaFile,
    tls_alert_days: 14,
  };
}

const HEADER = `# generated by \`npm run demo\` (playbooks/lab/inventory.ts) — disposable local lab hosts
# with the variables that point the real playbooks at the lab services: the registry registry.lab.test:5000, the ACME CA acme.lab.test (dns-01 through
# challtestsrv). Hosts log in as the deploy user; the first bootstrap ran as root.
#   tsx playbooks/deploy.ts --inventory INVENTORY --tag v2
#   tsx playbooks/tls-renew.ts --inventory INVENTORY
`;

/** The lab inventory with the demo's variables, as YAML text (the registry password as `!file`). */
export function renderLabDemoInventory(info: LabInfo, services: LabServices, passwordFile = LAB_REGISTRY_PASSWORD_FILE): string {
  const hosts = Object.fromEntries(info.hosts.map((h) => [h.name, labHostVars(h, services)]));
  const doc = new Document({ all: { vars: labGroupVars(info, services), children: { [info.name]: { hosts } } } });
  const password = new Scalar(passwordFile);
  password.tag = "!file";
  doc.setIn(["all", "vars", "registry_password"], password);
  const shown = path.relative(process.cwd(), info.inventoryPath) || info.inventoryPath;
  return HEADER.replaceAll("INVENTORY", info.name === "lab" ? "lab" : shown) + doc.toString({ lineWidth: 0 });
}

/** Write the registry password file and the lab inventory with the demo's variables; returns the inventory path. */
export function writeLabDemoInventory(info: LabInfo, services: LabServices): string {
  mkdirSync(path.dirname(LAB_REGISTRY_PASSWORD_FILE), { recursive: true, mode: 0o700 });
  writeFileSync(LAB_REGISTRY_PASSWORD_FILE, services.registry.password, { mode: 0o600 });
  chmodSync(LAB_REGISTRY_PASSWORD_FILE, 0o600);
  const file = info.inventoryPath;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, renderLabDemoInventory(info, services));
  renameSync(tmp, file);
  return file;
}
