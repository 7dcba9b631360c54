import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildImage } from "./build-image.js";
import { httpRequest, waitUntil } from "./http.js";
import { scriptFile, type ImageRecipe } from "./image-recipe.js";
import { SERVICES } from "./names.js";
import { FILES_DIR, SERVICES_DIR } from "./paths.js";
import { ensureServiceContainer, type ContainerAction } from "./service-container.js";

/** State of the ACME CA: its listener's CA and key, and pebble's current issuing root. */
export const ACME_DIR = path.join(SERVICES_DIR, "acme");

/** CA of pebble's own HTTPS listener: certbot's `REQUESTS_CA_BUNDLE`. Made once, kept across restarts. */
export const ACME_SERVER_CA_FILE = path.join(ACME_DIR, "server-ca.pem");

/** Pebble's issuing root, fetched from its management API; a new one after every pebble restart. */
export const ACME_ROOT_FILE = path.join(ACME_DIR, "root.pem");

/** Names under which `files.lab.test` serves the server CA and the issuing root. */
export const ACME_FILE_NAMES = { serverCa: "acme-server-ca.pem", root: "acme-root.pem" } as const;

/** Debian's pebble (with pebble-challtestsrv) and openssl, for the listener's CA. */
export const ACME_RECIPE: ImageRecipe = {
  name: "bosun-lab/acme",
  packages: ["pebble", "openssl"],
  files: [scriptFile("acme-run.sh", "/usr/local/bin/acme-run")],
  changes: [
    'ENTRYPOINT ["/usr/local/bin/acme-run"]',
    "ENV PEBBLE_VA_NOSLEEP=1",
    "ENV PEBBLE_WFE_NONCEREJECT=0",
    "EXPOSE 14000 15000 8053 8055",
  ],
};

const challtestUrl = (p: string) => `http://127.0.0.1:${SERVICES.challtest.localPort}${p}`;
const managementUrl = (p: string) => `https://127.0.0.1:${SERVICES.acmeManagement.localPort}${p}`;

/** Local ACME directory URL: `https://127.0.0.1:14000/dir`. */
export const ACME_LOCAL_DIRECTORY = `https://127.0.0.1:${SERVICES.acme.localPort}/dir`;

async function fetchRoot(ca: string): Promise<string> {
  const r = await httpRequest(managementUrl("/roots/0"), { ca });
  if (r.status !== 200 || !r.body.includes("BEGIN CERTIFICATE")) {
    throw new Error(`Cannot fetch pebble's issuing root: HTTP ${r.status} from /roots/0`);
  }
  return r.body;
}

/**
 * Start (or keep) pebble-challtestsrv (`challtest.lab.test`, DNS on 8053) and pebble
 * (`acme.lab.test`, directory on 14000); wait for the directory; write pebble's current
 * issuing root to {@link ACME_ROOT_FILE} and both CA files into the file server's directory.
 */
export async function ensureAcme(): Promise<{ acme: ContainerAction; challtest: ContainerAction }> {
  const image = await buildImage(ACME_RECIPE);
  mkdirSync(ACME_DIR, { recursive: true });
  const c = SERVICES.challtest;
  const challtest = await ensureServiceContainer({
    name: c.container,
    service: "challtest",
    image,
    aliases: [c.host],
    ports: [[c.localPort, c.port]],
    args: ["challtestsrv"],
  });
  const a = SERVICES.acme;
  const acme = await ensureServiceContainer({
    name: a.container,
    service: "acme",
    image,
    aliases: [a.host],
    ports: [
      [a.localPort, a.port],
      [SERVICES.acmeManagement.localPort, SERVICES.acmeManagement.port],
    ],
    mounts: [[ACME_DIR, "/state", "rw"]],
    args: ["pebble"],
  });
  await waitUntil("reach pebble-challtestsrv on 127.0.0.1:" + c.localPort, async () => {
    return (await httpRequest(challtestUrl("/"), { timeoutMs: 1000 })).status > 0;
  });
  await waitUntil("reach pebble's ACME directory on " + ACME_LOCAL_DIRECTORY, async () => {
    if (!existsSync(ACME_SERVER_CA_FILE)) return false;
    const ca = readFileSync(ACME_SERVER_CA_FILE, "utf8");
    return (await httpRequest(ACME_LOCAL_DIRECTORY, { ca, timeoutMs: 1000 })).status === 200;
  });
  writeFileSync(ACME_ROOT_FILE, await fetchRoot(readFileSync(ACME_SERVER_CA_FILE, "utf8")));
  mkdirSync(FILES_DIR, { recursive: true });
  copyFileSync(ACME_SERVER_CA_FILE, path.join(FILES_DIR, ACME_FILE_NAMES.serverCa));
  copyFileSync(ACME_ROOT_FILE, path.join(FILES_DIR, ACME_FILE_NAMES.root));
  return { acme, challtest };
}

/** Remove the ACME CA's state (the listener's CA is made anew on next start). */
export function purgeAcmeState(): void {
  rmSync(ACME_DIR, { recursive: true, force: true });
}

const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`);

async function challtest(endpoint: string, body: object, what: string): Promise<void> {
  const r = await httpRequest(challtestUrl(endpoint), { method: "POST", body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`Cannot ${what}: pebble-challtestsrv answered HTTP ${r.status} ${r.body.trim()}`);
}

/**
 * Make pebble resolve `name` to `ip` (an A record in pebble-challtestsrv, replacing any earlier
 * one), e.g. a lab host's address on the lab network before it asks for an http-01 certificate.
 */
export async function addDnsRecord(name: string, ip: string): Promise<void> {
  await challtest("/clear-a", { host: fqdn(name) }, `replace DNS record ${name}`);
  await challtest("/add-a", { host: fqdn(name), addresses: [ip] }, `add DNS record ${name} -> ${ip}`);
}

/** Remove the A records of `name` added with {@link addDnsRecord}. */
export function removeDnsRecord(name: string): Promise<void> {
  return challtest("/clear-a", { host: fqdn(name) }, `remove DNS record ${name}`);
}

/** Serve TXT record `name` (e.g. `_acme-challenge.web.lab.test`) with `value`, for dns-01. */
export function setDnsTxt(name: string, value: string): Promise<void> {
  return challtest("/set-txt", { host: fqdn(name), value }, `set DNS TXT ${name}`);
}

/** Remove TXT record `name` set with {@link setDnsTxt}. */
export function clearDnsTxt(name: string): Promise<void> {
  return challtest("/clear-txt", { host: fqdn(name) }, `clear DNS TXT ${name}`);
}
