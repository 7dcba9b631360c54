import { ensureLabImage, type LabVariant } from "./image.js";
import { ensureLabKey } from "./key.js";
import { LABEL_HOST, LABEL_LAB, LABEL_OWNER, LABEL_VARIANT, publishArgs, removeContainers, systemdRunArgs } from "./container.js";
import { removeLabHosts } from "./lab-down.js";
import { writeLabInventory } from "./inventory.js";
import { inspectLab, listLabHosts, type LabHostStatus, type LabInfo } from "./lab-state.js";
import { containerName, dockerVolumeName, validateLabName } from "./lab-name.js";
import { withLabLock } from "./lock.js";
import { ensureLabNetwork, LAB_DOMAIN, LAB_NETWORK } from "./network.js";
import { freeLocalPorts } from "./ports.js";
import { ensurePrerequisites } from "./prerequisites.js";
import { runProcess } from "./process.js";
import { waitForSsh } from "./ssh-ready.js";

/** Options for {@link labUp}. */
export interface LabUpOptions {
  /** Number of hosts (default 1); the lab ends up with exactly this many. */
  readonly count?: number;
  /** Lab name (default `lab`): hosts are `<name>1..N`, containers `bosun-<name>1..N`. */
  readonly name?: string;
  /** Image variant (default `fresh`, a new VPS; `docker` has docker.io preinstalled). */
  readonly variant?: LabVariant;
  /** Who starts the lab, kept as a label on new hosts, e.g. a test run id, so that run can clean up after itself. */
  readonly owner?: string;
  /** Called with progress lines; silent when omitted. */
  readonly log?: (line: string) => void;
}

const PORT_TAKEN = /port is already allocated|address already in use/i;
/** Another lab's `down` removed the network (unused at that moment) after this one ensured it. */
const NETWORK_GONE = new RegExp(`network ${LAB_NETWORK} not found`, "i");

/** What {@link startHost} starts. */
interface HostSpec {
  readonly lab: string;
  readonly host: string;
  readonly variant: LabVariant;
  readonly image: string;
  readonly publicKey: string;
  readonly owner?: string;
}

/** Create and start one host with the given image and fresh ports (retried when taken or when the network went away). */
async function startHost({ lab, host, variant, image, publicKey, owner }: HostSpec): Promise<void> {
  const volume = dockerVolumeName(host);
  await runProcess(["docker", "volume", "rm", "--force", volume], { allowFailure: true }); // leftover of a crash
  await runProcess(["docker", "volume", "create", "--label", `${LABEL_LAB}=${lab}`, "--label", `${LABEL_HOST}=${host}`, volume]);
  for (let attempt = 1; ; attempt++) {
    const [ssh = 0, http = 0, https = 0] = await freeLocalPorts(3);
    const argv = systemdRunArgs({
      name: containerName(host),
      image,
      dockerVolume: volume,
      // prettier-ignore
      extra: [
        "--hostname", host,
        "--network", LAB_NETWORK,
        "--network-alias", `${host}.${LAB_DOMAIN}`,
        "--restart", "unless-stopped",
        "--label", `${LABEL_LAB}=${lab}`,
        "--label", `${LABEL_HOST}=${host}`,
        "--label", `${LABEL_VARIANT}=${variant}`,
        "--env", `BOSUN_LAB_AUTHORIZED_KEY=${publicKey}`,
        ...(owner ? ["--label", `${LABEL_OWNER}=${owner}`] : []),
        ...publishArgs({ ssh, http, https }),
      ],
    });
    // controller-tools: docker (argv is the `docker run` above)
    const r = await runProcess(argv, { allowFailure: true });
    if (r.code === 0) return;
    await removeContainers([containerName(host)]);
    if (!(PORT_TAKEN.test(r.stderr) || NETWORK_GONE.test(r.stderr)) || attempt >= 5) {
      throw new Error(`Cannot start lab host ${host}: docker run failed (exit ${r.code}): ${r.stderr.trim()}`);
    }
    if (NETWORK_GONE.test(r.stderr)) await ensureLabNetwork();
  }
}

function checkVariant(name: string, variant: LabVariant, existing: readonly LabHostStatus[]): void {
  const other = existing.find((h) => h.variant !== variant);
  if (other) {
    throw new Error(
      `Cannot bring up lab "${name}" as variant ${variant}: host ${other.name} runs variant ${other.variant}; ` +
        `run \`npm run lab -- down --name ${name}\` first`,
    );
  }
}

/**
 * Bring up lab `name` with exactly `count` SSH-ready Debian hosts (building the image and
 * installing this machine's prerequisites when missing), write its inventory and return it.
 * Hosts already running are kept, so calling it again is cheap.
 */
export async function labUp(options: LabUpOptions = {}): Promise<LabInfo> {
  const { count = 1, name = "lab", variant = "fresh" } = options;
  const log = options.log ?? (() => {});
  validateLabName(name);
  if (!Number.isInteger(count) || count < 1 || count > 50) {
    throw new Error(`Cannot bring up lab "${name}" with ${count} hosts: count must be an integer from 1 to 50`);
  }
  await ensurePrerequisites();
  const [image, publicKey] = await Promise.all([ensureLabImage({ variant, log }), ensureLabKey(), ensureLabNetwork()]);
  const wanted = Array.from({ length: count }, (_, i) => `${name}${i + 1}`);
  const existing = await listLabHosts(name);
  checkVariant(name, variant, existing);

  const extra = existing.filter((h) => !wanted.includes(h.name));
  if (extra.length) await removeLabHosts(extra);
  const stopped = existing.filter((h) => wanted.includes(h.name) && h.state !== "running");
  if (stopped.length) await runProcess(["docker", "start", ...stopped.map((h) => h.container)]);
  const missing = wanted.filter((h) => !existing.some((e) => e.name === h));
  if (missing.length) log(`starting ${missing.join(", ")} from ${image}`);
  // One lab at a time picks ports, so parallel labUp calls (jest workers) do not race for them.
  const start = (host: string) => startHost({ lab: name, host, variant, image, publicKey, owner: options.owner });
  await withLabLock("ports", () => Promise.all(missing.map(start)), { timeoutMs: 5 * 60_000 });

  if (missing.length) log(`containers started; waiting for sshd`);
  const info = await inspectLab(name);
  if (!info) throw new Error(`Cannot bring up lab "${name}": its containers vanished while starting`);
  await Promise.all(info.hosts.map((h) => waitForSsh(h.sshPort, { label: `${h.name} (${h.container})` })));
  writeLabInventory(info);
  log(`lab "${name}": ${info.hosts.length} host(s) ready; inventory ${info.inventoryPath}`);
  return info;
}
