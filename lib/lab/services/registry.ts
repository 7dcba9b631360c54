import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildImage } from "./build-image.js";
import { docker } from "./docker.js";
import { httpRequest, waitUntil } from "./http.js";
import type { ImageRecipe } from "./image-recipe.js";
import { SERVICES } from "./names.js";
import { SERVICES_DIR } from "./paths.js";
import { ensureServiceContainer, type ContainerAction } from "./service-container.js";

/** User and password of the lab registry (htpasswd, bcrypt). */
export interface RegistryCredentials {
  /** User name, `lab`. */
  readonly username: string;
  /** Random password, generated once. */
  readonly password: string;
}

/** File holding the {@link RegistryCredentials} (mode 0600). */
export const REGISTRY_CREDENTIALS_FILE = path.join(SERVICES_DIR, "registry.json");

const REGISTRY_DIR = path.join(SERVICES_DIR, "registry");
const HTPASSWD_FILE = path.join(REGISTRY_DIR, "htpasswd");

/** Address this machine pushes to and pulls from (`127.0.0.1:5000`). */
export const REGISTRY_LOCAL = `127.0.0.1:${SERVICES.registry.localPort}`;

const CONFIG = `version: 0.1
log:
  level: info
  fields: { service: registry }
storage:
  filesystem: { rootdirectory: /var/lib/docker-registry }
  delete: { enabled: true }
http:
  addr: :5000
  headers: { X-Content-Type-Options: [nosniff] }
auth:
  htpasswd: { realm: bosun-lab, path: /auth/htpasswd }
`;

/** Debian's docker-registry (distribution 2.8) with htpasswd auth over plain HTTP; apache2-utils for htpasswd. */
export const REGISTRY_RECIPE: ImageRecipe = {
  name: "bosun-lab/registry",
  packages: ["docker-registry", "apache2-utils"],
  files: [{ path: "/etc/docker/registry/config.yml", content: CONFIG, mode: 0o644 }],
  changes: ['ENTRYPOINT ["/usr/bin/docker-registry"]', 'CMD ["serve", "/etc/docker/registry/config.yml"]', "EXPOSE 5000"],
};

/** The registry credentials, generated into {@link REGISTRY_CREDENTIALS_FILE} on first use. */
export function registryCredentials(): RegistryCredentials {
  if (existsSync(REGISTRY_CREDENTIALS_FILE)) {
    return JSON.parse(readFileSync(REGISTRY_CREDENTIALS_FILE, "utf8")) as RegistryCredentials;
  }
  const creds = { username: "lab", password: randomBytes(18).toString("base64url") };
  mkdirSync(SERVICES_DIR, { recursive: true });
  writeFileSync(REGISTRY_CREDENTIALS_FILE, JSON.stringify(creds, null, 2) + "\n", { mode: 0o600 });
  rmSync(HTPASSWD_FILE, { force: true });
  return creds;
}

/** Write the bcrypt htpasswd file with `htpasswd -niB` inside the registry image (password on stdin). */
async function ensureHtpasswd(image: string, creds: RegistryCredentials): Promise<string> {
  if (!existsSync(HTPASSWD_FILE)) {
    const r = await docker(["run", "--rm", "-i", "--entrypoint", "htpasswd", image, "-niB", creds.username], {
      input: creds.password,
    });
    const line = r.stdout.trim();
    if (!line.startsWith(`${creds.username}:$2`)) throw new Error(`Cannot write the registry htpasswd: htpasswd printed "${line}"`);
    mkdirSync(path.join(REGISTRY_DIR, "data"), { recursive: true });
    writeFileSync(HTPASSWD_FILE, line + "\n", { mode: 0o644 });
  }
  return readFileSync(HTPASSWD_FILE, "utf8");
}

/** Start (or keep) the registry container and wait until it answers `/v2/` with 401. */
export async function ensureRegistry(): Promise<ContainerAction> {
  const image = await buildImage(REGISTRY_RECIPE);
  const creds = registryCredentials();
  const htpasswd = await ensureHtpasswd(image, creds);
  const s = SERVICES.registry;
  const action = await ensureServiceContainer({
    name: s.container,
    service: "registry",
    image,
    aliases: [s.host],
    ports: [[s.localPort, s.port]],
    mounts: [
      [HTPASSWD_FILE, "/auth/htpasswd", "ro"],
      [path.join(REGISTRY_DIR, "data"), "/var/lib/docker-registry", "rw"],
    ],
    // Not read by the registry: a new htpasswd changes the spec, so the container restarts and reads it.
    env: { HTPASSWD_SHA256: createHash("sha256").update(htpasswd).digest("hex") },
  });
  await waitUntil("reach the lab registry on " + REGISTRY_LOCAL, async () => {
    return (await httpRequest(`http://${REGISTRY_LOCAL}/v2/`, { timeoutMs: 1000 })).status === 401;
  });
  return action;
}

/** Basic auth header of `creds`. */
export function basicAuth(creds: RegistryCredentials): string {
  return "Basic " + Buffer.from(`${creds.username}:${creds.password}`).toString("base64");
}

/** Remove the registry's state (credentials, htpasswd, pushed images). */
export function purgeRegistryState(): void {
  rmSync(REGISTRY_DIR, { recursive: true, force: true });
  rmSync(REGISTRY_CREDENTIALS_FILE, { force: true });
}
