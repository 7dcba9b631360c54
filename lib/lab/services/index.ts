import { readFileSync, rmSync } from "node:fs";
import { withLabLock } from "../lock.js";
import { ensureLabNetwork, removeLabNetworkIfUnused } from "../network.js";
import { ensurePrerequisites } from "../prerequisites.js";
import { ACME_LOCAL_DIRECTORY, ACME_SERVER_CA_FILE, ensureAcme, purgeAcmeState } from "./acme.js";
import { publishDemoImages } from "./app-image.js";
import { ensureComposePlugin } from "./compose-plugin.js";
import { containerState, docker, serviceContainers } from "./docker.js";
import { ensureFileServer, localFileUrl } from "./files.js";
import { httpRequest } from "./http.js";
import { labServicesInfo } from "./info.js";
import { SERVICES } from "./names.js";
import { ensureRegistry, purgeRegistryState } from "./registry.js";
import { ensureRegistryTls } from "./registry-tls.js";
import { PUSH_CONFIG_DIR } from "./registry-client.js";
import type { LabServices, LabServiceStatus } from "./types.js";

export type * from "./types.js";
export { addDnsRecord, removeDnsRecord, setDnsTxt, clearDnsTxt } from "./acme.js";
export { ensureComposePlugin } from "./compose-plugin.js";
export { dockerRepoInfo, ensureDockerRepo, type DockerRepoInfo } from "./docker-repo.js";
import { ensureDockerRepo } from "./docker-repo.js";
export { DEMO_IMAGES, labImageRef } from "./app-image.js";
export { buildImage } from "./build-image.js";
export type { ImageRecipe, RecipeFile } from "./image-recipe.js";
export { CLIENT_RECIPE } from "./client-recipe.js";
export { SERVICES } from "./names.js";
export { containerIp } from "./docker.js";

/**
 * Bring the lab services up on the lab network, idempotently: the compose plugin on this
 * machine, `files.lab.test` with the stand-in for Docker's apt repository (the lab inventory names
 * it as `docker_repo_url`), `registry.lab.test:5000` with the demo images pushed (and over HTTPS
 * with the lab CA's certificate as `registry.lab.test`), and the ACME CA
 * (`acme.lab.test`, `challtest.lab.test`). What already runs from the same recipe is kept.
 */
export function servicesUp(): Promise<LabServices> {
  return withLabLock("services", async () => {
    await ensurePrerequisites();
    await ensureLabNetwork();
    const [compose] = await Promise.all([
      ensureComposePlugin().then(async (plugin) => (await ensureFileServer(), await ensureDockerRepo(), plugin)),
      ensureRegistry().then(async () => (await ensureRegistryTls(), await publishDemoImages())),
      ensureAcme(),
    ]);
    return labServicesInfo(compose.version);
  });
}

/** Options for {@link servicesDown}. */
export interface ServicesDownOptions {
  /** Also delete the services' state: registry credentials and pushed images, the ACME CA. */
  readonly purge?: boolean;
}

/** Remove the lab services' containers (and the lab network if nothing else uses it); returns their names. */
export function servicesDown(options: ServicesDownOptions = {}): Promise<string[]> {
  return withLabLock("services", async () => {
    const names = await serviceContainers();
    if (names.length) await docker(["rm", "-f", ...names]);
    if (options.purge) {
      purgeRegistryState();
      purgeAcmeState();
      rmSync(PUSH_CONFIG_DIR, { recursive: true, force: true });
    }
    await removeLabNetworkIfUnused();
    return names;
  });
}

const PROBES: Record<string, () => Promise<boolean>> = {
  registry: async () => (await httpRequest(`http://127.0.0.1:${SERVICES.registry.localPort}/v2/`, { timeoutMs: 1000 })).status === 401,
  files: async () => (await httpRequest(localFileUrl(""), { timeoutMs: 1000 })).status > 0,
  acme: async () => {
    const ca = readFileSync(ACME_SERVER_CA_FILE, "utf8");
    return (await httpRequest(ACME_LOCAL_DIRECTORY, { ca, timeoutMs: 1000 })).status === 200;
  },
  challtest: async () => (await httpRequest(`http://127.0.0.1:${SERVICES.challtest.localPort}/`, { timeoutMs: 1000 })).status > 0,
};

async function serviceStatus(service: string, container: string): Promise<LabServiceStatus> {
  const state = await containerState(container);
  const answering = state?.running ? await PROBES[service]!().catch(() => false) : false;
  return { service, container, state: state ? (state.running ? "running" : "stopped") : "absent", answering };
}

/** State of each lab service container and whether it answers on 127.0.0.1. */
export function servicesStatus(): Promise<LabServiceStatus[]> {
  return Promise.all((["registry", "files", "acme", "challtest"] as const).map((s) => serviceStatus(s, SERVICES[s].container)));
}
