import { LABEL_HOST, LABEL_LAB, LABEL_VARIANT } from "./container.js";
import type { LabVariant } from "./image.js";
import { LAB_NETWORK } from "./network.js";
import { inventoryPathFor, KEY_PATH, KNOWN_HOSTS_PATH } from "./paths.js";
import { runProcess } from "./process.js";

/** One lab host as tests and the inventory see it. */
export interface LabHost {
  /** Host name, also its hostname and inventory name (`lab1`). */
  readonly name: string;
  /** Docker container name (`bosun-lab1`). */
  readonly container: string;
  /** Port on 127.0.0.1 forwarded to the host's sshd. */
  readonly sshPort: number;
  /** Port on 127.0.0.1 forwarded to the host's port 80. */
  readonly httpPort: number;
  /** Port on 127.0.0.1 forwarded to the host's port 443. */
  readonly httpsPort: number;
  /** The host's address on the lab network (may change when docker restarts it). */
  readonly ip: string;
}

/** A running lab: its hosts and the files needed to reach them. */
export interface LabInfo {
  /** Lab name; hosts are `<name>1..N`. */
  readonly name: string;
  /** Image variant the hosts were started from. */
  readonly variant: LabVariant;
  /** Hosts in index order. */
  readonly hosts: readonly LabHost[];
  /** Absolute path of the private key that logs in as root on every host. */
  readonly keyPath: string;
  /** Absolute path of the known_hosts file holding the hosts' keys. */
  readonly knownHostsPath: string;
  /** Absolute path of the generated Ansible-format inventory. */
  readonly inventoryPath: string;
}

/** A lab host as docker reports it now. */
export interface LabHostStatus extends LabHost {
  /** Lab the host belongs to. */
  readonly lab: string;
  /** Docker state: running, exited, restarting, created ... */
  readonly state: string;
  /** Image variant. */
  readonly variant: LabVariant;
}

interface Inspected {
  Name: string;
  State: { Status: string };
  Config: { Labels: Record<string, string> | null };
  HostConfig: { PortBindings: Record<string, Array<{ HostPort: string }> | null> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

function hostPort(c: Inspected, port: number): number {
  return Number(c.HostConfig.PortBindings?.[`${port}/tcp`]?.[0]?.HostPort ?? 0);
}

function indexOf(host: string): number {
  return Number(/(\d+)$/.exec(host)?.[1] ?? 0);
}

/** Every lab host container on this machine (of lab `name` only, when given), sorted by lab and index. */
export async function listLabHosts(name?: string): Promise<LabHostStatus[]> {
  const filter = name ? `label=${LABEL_LAB}=${name}` : `label=${LABEL_LAB}`;
  const ids = (await runProcess(["docker", "ps", "--all", "--quiet", "--filter", filter])).stdout.split("\n").filter(Boolean);
  if (!ids.length) return [];
  const inspected = JSON.parse((await runProcess(["docker", "inspect", ...ids])).stdout) as Inspected[];
  return inspected
    .map((c): LabHostStatus => {
      const labels = c.Config.Labels ?? {};
      return {
        lab: labels[LABEL_LAB] ?? "",
        name: labels[LABEL_HOST] ?? "",
        container: c.Name.replace(/^\//, ""),
        state: c.State.Status,
        variant: (labels[LABEL_VARIANT] ?? "fresh") as LabVariant,
        sshPort: hostPort(c, 22),
        httpPort: hostPort(c, 80),
        httpsPort: hostPort(c, 443),
        ip: c.NetworkSettings.Networks?.[LAB_NETWORK]?.IPAddress ?? "",
      };
    })
    .sort((a, b) => a.lab.localeCompare(b.lab) || indexOf(a.name) - indexOf(b.name));
}

/** The {@link LabInfo} of lab `name` as docker reports it now, or undefined when it has no hosts. */
export async function inspectLab(name: string): Promise<LabInfo | undefined> {
  const hosts = await listLabHosts(name);
  if (!hosts.length) return undefined;
  return {
    name,
    variant: hosts[0]?.variant ?? "fresh",
    hosts: hosts.map(({ name: host, container, sshPort, httpPort, httpsPort, ip }) => ({
      name: host,
      container,
      sshPort,
      httpPort,
      httpsPort,
      ip,
    })),
    keyPath: KEY_PATH,
    knownHostsPath: KNOWN_HOSTS_PATH,
    inventoryPath: inventoryPathFor(name),
  };
}
