/**
 * Lab hosts for one e2e test file, and plain ways (system `ssh`, `docker exec`) to check their
 * state independently of bosun.
 */
import { labDown, labSshOptions, labUp, type LabHost, type LabInfo, type LabVariant } from "../../lib/lab/index.js";
import { runProcess, type ProcessResult } from "../../lib/lab/process.js";
import { inventoryFromHosts, type Inventory, type Vars } from "../../lib/inventory/index.js";

/** Options for {@link useLab}. */
export interface UseLabOptions {
  /** Lab name, unique per test file (e.g. `t-hosts`); hosts are `<name>1..N`. */
  readonly name: string;
  /** Number of hosts (default 1). */
  readonly count?: number;
  /** Image variant (default `fresh`). */
  readonly variant?: LabVariant;
}

/** An inventory of the lab's hosts (by index; the first by default) as a user would write it (address, port, key, known_hosts), with `vars` added. */
export function labHostInventory(info: LabInfo, vars: Vars = {}, indexes: readonly number[] = [0]): Inventory {
  const entries = indexes.map((i) => {
    const h = info.hosts[i];
    if (!h) throw new Error(`Cannot use lab host ${i}: the lab has ${info.hosts.length} host(s)`);
    const hostVars: Vars = {
      ansible_host: "127.0.0.1",
      ansible_port: h.sshPort,
      ansible_ssh_private_key_file: info.keyPath,
      bosun_known_hosts: info.knownHostsPath,
      ...vars,
    };
    return [h.name, hostVars] as const;
  });
  return inventoryFromHosts(Object.fromEntries(entries));
}

/**
 * Bring lab `name` up in `beforeAll` and down in `afterAll`; returns a getter for its
 * {@link LabInfo}, usable inside tests. Hosts carry this jest run's id for the global teardown.
 */
export function useLab(options: UseLabOptions): () => LabInfo {
  let info: LabInfo | undefined;
  beforeAll(async () => {
    const owner = process.env.BOSUN_LAB_RUN_ID; // set by global-setup.ts; the teardown removes what carries it
    info = await labUp({ name: options.name, count: options.count ?? 1, variant: options.variant ?? "fresh", owner });
  }, 300_000);
  afterAll(async () => {
    await labDown({ name: options.name });
  }, 120_000);
  return () => {
    if (!info) throw new Error(`Cannot use lab "${options.name}": labUp has not finished (see the beforeAll error)`);
    return info;
  };
}

/** Options for {@link sshExec} and {@link dockerExec}. */
export interface ExecOptions {
  /** Text written to the command's stdin. */
  readonly input?: string;
  /** Resolve with the result instead of rejecting on a non-zero exit. */
  readonly allowFailure?: boolean;
}

/**
 * Run a shell command on a lab host as root with the system `ssh` client, the lab key and strict
 * host key checking against the lab's known_hosts; rejects on a non-zero exit unless allowed.
 */
export function sshExec(host: Pick<LabHost, "sshPort">, command: string, options: ExecOptions = {}): Promise<ProcessResult> {
  return runProcess(["ssh", ...labSshOptions(host.sshPort), "root@127.0.0.1", command], options);
}

/** Run `argv` in a container with `docker exec` (stdin attached when input is given). */
export function dockerExec(container: string, argv: readonly string[], options: ExecOptions = {}): Promise<ProcessResult> {
  const interactive = options.input === undefined ? [] : ["-i"];
  return runProcess(["docker", "exec", ...interactive, container, ...argv], options);
}
