import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LABEL_LAB, removeContainers } from "./container.js";
import { removeLabInventory } from "./inventory.js";
import { forgetKnownHosts } from "./known-hosts.js";
import { listLabHosts, type LabHostStatus } from "./lab-state.js";
import { dockerVolumeName, validateLabName } from "./lab-name.js";
import { removeLabNetworkIfUnused } from "./network.js";
import { LAB_DIR } from "./paths.js";
import { runProcess } from "./process.js";

/** Options for {@link labDown}. */
export interface LabDownOptions {
  /** Lab to remove (default `lab`). */
  readonly name?: string;
  /** Remove every lab on this machine, and the lab services when part of this checkout. */
  readonly all?: boolean;
}

/** What {@link labDown} removed. */
export interface LabDownReport {
  /** Containers removed. */
  readonly containers: readonly string[];
  /** Docker volumes removed. */
  readonly volumes: readonly string[];
  /** True when the lab services were taken down too. */
  readonly services: boolean;
  /** True when the lab network was removed (nothing else used it). */
  readonly network: boolean;
}

/** Remove these hosts' containers, docker volumes and known_hosts entries. */
export async function removeLabHosts(hosts: readonly LabHostStatus[]): Promise<string[]> {
  await removeContainers(hosts.map((h) => h.container));
  const volumes = hosts.map((h) => dockerVolumeName(h.name));
  if (volumes.length) await runProcess(["docker", "volume", "rm", "--force", ...volumes], { allowFailure: true });
  await forgetKnownHosts(hosts.map((h) => h.sshPort).filter(Boolean));
  return volumes;
}

/** Lab volumes (of lab `name`, or all) still present, e.g. left by a host whose container is already gone. */
async function strayVolumes(name?: string): Promise<string[]> {
  const filter = name ? `label=${LABEL_LAB}=${name}` : `label=${LABEL_LAB}`;
  const out = (await runProcess(["docker", "volume", "ls", "--quiet", "--filter", filter])).stdout;
  return out.split("\n").filter(Boolean);
}

/** Part B's `servicesDown()` when lib/lab/services/ exports one; nothing otherwise. */
async function servicesDown(): Promise<boolean> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "services");
  if (!existsSync(path.join(dir, "index.ts")) && !existsSync(path.join(dir, "index.js"))) return false;
  const specifier = "./services/index.js"; // a variable: the module is optional at compile time
  const mod = (await import(specifier)) as { servicesDown?: () => Promise<unknown> };
  if (typeof mod.servicesDown !== "function") return false;
  await mod.servicesDown();
  return true;
}

function labsWithState(): string[] {
  if (!existsSync(LAB_DIR)) return [];
  return readdirSync(LAB_DIR).filter((d) => existsSync(path.join(LAB_DIR, d, "inventory.yml")));
}

/**
 * Remove lab `name` (or every lab with `all`): containers, their /var/lib/docker volumes,
 * known_hosts entries and inventory; the lab network too once nothing uses it.
 */
export async function labDown(options: LabDownOptions = {}): Promise<LabDownReport> {
  const name = options.all ? undefined : (options.name ?? "lab");
  if (name !== undefined) validateLabName(name);
  const hosts = await listLabHosts(name);
  const volumes = await removeLabHosts(hosts);
  const stray = await strayVolumes(name);
  if (stray.length) await runProcess(["docker", "volume", "rm", "--force", ...stray], { allowFailure: true });
  const labs = name !== undefined ? [name] : [...new Set(["lab", ...hosts.map((h) => h.lab), ...labsWithState()])];
  for (const lab of labs) removeLabInventory(lab);
  if (options.all) await forgetKnownHosts("all");
  const services = options.all ? await servicesDown() : false;
  const network = await removeLabNetworkIfUnused();
  return {
    containers: hosts.map((h) => h.container),
    volumes: [...new Set([...volumes, ...stray])],
    services,
    network,
  };
}
