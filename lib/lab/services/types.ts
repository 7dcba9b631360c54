/** The lab registry as hosts and this machine reach it. */
export interface LabRegistryInfo {
  /** Container name. */
  readonly container: string;
  /** Registry address on the lab network, for image references: `registry.lab.test:5000`. */
  readonly address: string;
  /** Registry address on this machine (docker allows plain HTTP on 127.0.0.0/8): `127.0.0.1:5000`. */
  readonly localAddress: string;
  /** The same registry over HTTPS on the lab network, with a certificate from the lab CA: `registry.lab.test` (port 443). */
  readonly tlsAddress: string;
  /** The lab CA's certificate (PEM file): what the stock images trust, as a VPS trusts public CAs. */
  readonly caFile: string;
  /** htpasswd user, `lab`. */
  readonly username: string;
  /** htpasswd password (send it on stdin: `docker login --password-stdin`). */
  readonly password: string;
  /** JSON file holding username and password. */
  readonly credentialsFile: string;
}

/** Images published in the lab registry, as lab hosts pull them (`registry.lab.test:5000/...`). */
export interface LabImages {
  /** Demo app by tag: `v1`, `v2`, `v3` (ready) and `broken` (`/api/ready` answers 500); port 8080. */
  readonly app: Readonly<Record<"v1" | "v2" | "v3" | "broken", string>>;
  /** Migrator by tag; exits 1 when `MIGRATE_FAIL=1`; connects with PGHOST (default `db`), PGPASSWORD. */
  readonly migrator: Readonly<Record<"v1" | "v2" | "v3", string>>;
  /** Postgres 15 (Debian): `POSTGRES_PASSWORD` required, database `app`, port 5432, pg_dump and psql inside. */
  readonly postgres: string;
}

/** The static file server `files.lab.test`. */
export interface LabFilesInfo {
  /** Container name. */
  readonly container: string;
  /** Base URL on the lab network: `http://files.lab.test`. */
  readonly url: string;
  /** Base URL on this machine. */
  readonly localUrl: string;
  /** Directory it serves (read-only). */
  readonly dir: string;
}

/** The compose v2 plugin (Debian trixie's `docker-compose` .deb). */
export interface LabComposePlugin {
  /** Version, e.g. `2.26.1`. */
  readonly version: string;
  /** Cached .deb on this machine. */
  readonly deb: string;
  /** URL lab hosts download it from: `http://files.lab.test/docker-compose-plugin.deb`. */
  readonly url: string;
}

/** The ACME CA: pebble with pebble-challtestsrv as its DNS. */
export interface LabAcmeInfo {
  /** Container names of pebble and of challtestsrv. */
  readonly containers: { readonly pebble: string; readonly challtest: string };
  /** ACME directory on the lab network: `https://acme.lab.test:14000/dir`. */
  readonly directoryUrl: string;
  /** ACME directory on this machine: `https://127.0.0.1:14000/dir`. */
  readonly localDirectoryUrl: string;
  /** Pebble's management API on this machine (`/roots/0`, `/intermediates/0`). */
  readonly localManagementUrl: string;
  /** challtestsrv's management API on this machine (`/add-a`, `/set-txt`, `/clear-txt`). */
  readonly localChalltestUrl: string;
  /** challtestsrv's management API on the lab network, for dns-01 hooks run on hosts. */
  readonly challtestUrl: string;
  /** DNS server pebble resolves every name with: `challtest.lab.test:8053`. */
  readonly dnsServer: string;
  /** PEM of the CA of pebble's HTTPS listener: certbot's `REQUESTS_CA_BUNDLE`. */
  readonly serverCaFile: string;
  /** The same, for hosts: `http://files.lab.test/acme-server-ca.pem`. */
  readonly serverCaUrl: string;
  /** PEM of pebble's issuing root (trust it to verify issued certificates). */
  readonly rootFile: string;
  /** The same, for hosts: `http://files.lab.test/acme-root.pem`. */
  readonly rootUrl: string;
  /** Seconds an issued certificate is valid (90 days). */
  readonly certificateValidity: number;
  /** What differs from a real CA. */
  readonly notes: readonly string[];
}

/** Everything a test, playbook or the demo needs to use the lab services. */
export interface LabServices {
  /** Docker network shared with the lab hosts. */
  readonly network: string;
  /** The registry. */
  readonly registry: LabRegistryInfo;
  /** The published images. */
  readonly images: LabImages;
  /** The static file server. */
  readonly files: LabFilesInfo;
  /** The compose plugin. */
  readonly composePlugin: LabComposePlugin;
  /** The ACME CA. */
  readonly acme: LabAcmeInfo;
}

/** One service container as {@link servicesStatus} sees it. */
export interface LabServiceStatus {
  /** Service name: registry, files, acme or challtest. */
  readonly service: string;
  /** Container name. */
  readonly container: string;
  /** Whether the container exists and runs. */
  readonly state: "running" | "stopped" | "absent";
  /** Whether it answers on its 127.0.0.1 port right now. */
  readonly answering: boolean;
}
