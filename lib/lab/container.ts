import { LAB_STOP_SIGNAL } from "./image-recipe.js";
import { runProcess } from "./process.js";

/** Label on every lab host container and volume; its value is the lab's name. */
export const LABEL_LAB = "bosun.lab.name";
/** Label holding the host's name (`lab1`). */
export const LABEL_HOST = "bosun.lab.host";
/** Label holding who started the host (e.g. a jest run id), when they said. */
export const LABEL_OWNER = "bosun.lab.owner";
/** Label holding the image variant the host was started from. */
export const LABEL_VARIANT = "bosun.lab.variant";

/** Ports a host publishes on 127.0.0.1 (explicit, so they survive restarts and `systemctl reboot`). */
export interface PublishedPorts {
  /** Host port forwarded to the container's 22. */
  readonly ssh: number;
  /** Host port forwarded to the container's 80. */
  readonly http: number;
  /** Host port forwarded to the container's 443. */
  readonly https: number;
}

/** What {@link systemdRunArgs} needs to start one systemd container. */
export interface SystemdContainerSpec {
  /** Container name. */
  readonly name: string;
  /** Image tag. */
  readonly image: string;
  /** Named docker volume mounted at /var/lib/docker (overlay2 needs a real filesystem there). */
  readonly dockerVolume: string;
  /** Extra `docker run` arguments placed before the image (network, ports, labels, env). */
  readonly extra?: readonly string[];
}

/**
 * `docker run` arguments that give systemd as PID 1 without `--privileged` (which cannot start
 * on this machine: dockerd lacks CAP_SYS_RESOURCE and docker 20.10 ignores --cap-drop with it).
 * The container gets its own cgroup namespace (never the machine's /sys/fs/cgroup), all
 * capabilities except the three that reach outside it, and /proc/sys stays read-only.
 */
export function systemdRunArgs(spec: SystemdContainerSpec): string[] {
  // prettier-ignore
  return [
    "docker", "run", "--detach",
    "--name", spec.name,
    "--cgroupns=private",
    "--cap-add", "ALL",
    "--cap-drop", "SYS_RESOURCE", "--cap-drop", "SYS_TIME", "--cap-drop", "SYS_MODULE",
    "--security-opt", "seccomp=unconfined",
    "--tmpfs", "/run:exec,mode=755",
    "--tmpfs", "/run/lock",
    "--stop-signal", LAB_STOP_SIGNAL,
    "--volume", `${spec.dockerVolume}:/var/lib/docker`,
    ...(spec.extra ?? []),
    spec.image,
  ];
}

/** `docker run` arguments that publish `ports` on 127.0.0.1. */
export function publishArgs(ports: PublishedPorts): string[] {
  // prettier-ignore
  return [
    "--publish", `127.0.0.1:${ports.ssh}:22`,
    "--publish", `127.0.0.1:${ports.http}:80`,
    "--publish", `127.0.0.1:${ports.https}:443`,
  ];
}

/** Remove containers (with their anonymous volumes) by name or id; absent ones are ignored. */
export async function removeContainers(names: readonly string[]): Promise<void> {
  if (names.length) await runProcess(["docker", "rm", "--force", "--volumes", ...names], { allowFailure: true });
}

/** Options for {@link containerExec}. */
export interface ContainerExecOptions {
  /** Environment variables for the command. */
  readonly env?: Record<string, string>;
}

/** Run a command in a container as root; returns stdout, rejects with its output on a non-zero exit. */
export async function containerExec(container: string, argv: readonly string[], options: ContainerExecOptions = {}): Promise<string> {
  const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["--env", `${k}=${v}`]);
  const r = await runProcess(["docker", "exec", ...envArgs, container, ...argv], { allowFailure: true });
  if (r.code !== 0) {
    throw new Error(`Cannot run \`${argv.join(" ")}\` in ${container}: exit ${r.code}\n${(r.stderr || r.stdout).slice(-2000)}`);
  }
  return r.stdout;
}

/** Wait (up to a minute) until systemd in `container` has booted; returns `systemctl is-system-running`. */
export async function waitForBoot(container: string): Promise<string> {
  const timeoutMs = 60_000;
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    const r = await runProcess(["docker", "exec", container, "systemctl", "is-system-running"], { allowFailure: true });
    last = (r.stdout || r.stderr).trim();
    if (last === "running" || last === "degraded") return last;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`Cannot boot ${container}: systemd still reports "${last}" after ${timeoutMs / 1000} s`);
}
