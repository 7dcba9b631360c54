import path from "node:path";
import { LAB_NETWORK } from "../network.js";
import { ACME_FILE_NAMES, ACME_LOCAL_DIRECTORY, ACME_ROOT_FILE, ACME_SERVER_CA_FILE } from "./acme.js";
import { labImageRef } from "./app-image.js";
import { COMPOSE_DEB_NAME } from "./compose-plugin.js";
import { labFileUrl, localFileUrl } from "./files.js";
import { LAB_CA_FILE } from "./lab-ca.js";
import { SERVICES } from "./names.js";
import { FILES_DIR } from "./paths.js";
import { REGISTRY_CREDENTIALS_FILE, REGISTRY_LOCAL, registryCredentials } from "./registry.js";
import type { LabServices } from "./types.js";

/** Seconds pebble's certificates are valid (set in its config by the image's entrypoint). */
const CERT_VALIDITY = 7_776_000;

const ACME_NOTES = [
  "pebble forgets every account, order and certificate when it restarts: wipe certbot's accounts (/etc/letsencrypt/accounts) then",
  "pebble makes a new issuing root at every start: fetch it again (servicesUp rewrites rootFile and rootUrl)",
  "pebble resolves names only through challtestsrv: call addDnsRecord(name, ip) before http-01, setDnsTxt for dns-01",
  "http-01 is checked on port 80 and tls-alpn-01 on 443 of the address addDnsRecord gave",
  "pebble answers no OCSP; certificates are valid 90 days",
];

/** The {@link LabServices} description, from the fixed names and the state in `.lab/services/`. */
export function labServicesInfo(composeVersion: string): LabServices {
  const creds = registryCredentials();
  const r = SERVICES.registry;
  const app = (tag: string) => labImageRef("demo/app", tag);
  const migrator = (tag: string) => labImageRef("demo/migrator", tag);
  return {
    network: LAB_NETWORK,
    registry: {
      container: r.container,
      address: `${r.host}:${r.port}`,
      localAddress: REGISTRY_LOCAL,
      tlsAddress: SERVICES.registryTls.host,
      caFile: LAB_CA_FILE,
      username: creds.username,
      password: creds.password,
      credentialsFile: REGISTRY_CREDENTIALS_FILE,
    },
    images: {
      app: { v1: app("v1"), v2: app("v2"), v3: app("v3"), broken: app("broken") },
      migrator: { v1: migrator("v1"), v2: migrator("v2"), v3: migrator("v3") },
      postgres: labImageRef("demo/postgres", "15"),
    },
    files: {
      container: SERVICES.files.container,
      url: labFileUrl("").replace(/\/$/, ""),
      localUrl: localFileUrl("").replace(/\/$/, ""),
      dir: FILES_DIR,
    },
    composePlugin: { version: composeVersion, deb: path.join(FILES_DIR, COMPOSE_DEB_NAME), url: labFileUrl(COMPOSE_DEB_NAME) },
    acme: {
      containers: { pebble: SERVICES.acme.container, challtest: SERVICES.challtest.container },
      directoryUrl: `https://${SERVICES.acme.host}:${SERVICES.acme.port}/dir`,
      localDirectoryUrl: ACME_LOCAL_DIRECTORY,
      localManagementUrl: `https://127.0.0.1:${SERVICES.acmeManagement.localPort}`,
      localChalltestUrl: `http://127.0.0.1:${SERVICES.challtest.localPort}`,
      challtestUrl: `http://${SERVICES.challtest.host}:${SERVICES.challtest.port}`,
      dnsServer: `${SERVICES.challtest.host}:8053`,
      serverCaFile: ACME_SERVER_CA_FILE,
      serverCaUrl: labFileUrl(ACME_FILE_NAMES.serverCa),
      rootFile: ACME_ROOT_FILE,
      rootUrl: labFileUrl(ACME_FILE_NAMES.root),
      certificateValidity: CERT_VALIDITY,
      notes: ACME_NOTES,
    },
  };
}
