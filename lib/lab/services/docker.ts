import { runProcess, type ProcessResult, type RunProcessOptions } from "../process.js";

/** Run the docker CLI with `args`; rejects on a non-zero exit unless `allowFailure`. */
export function docker(args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return runProcess(["docker", ...args], options);
}

/** True when the local image `ref` exists. */
export async function imageExists(ref: string): Promise<boolean> {
  return (await docker(["image", "inspect", "--format", "{{.Id}}", ref], { allowFailure: true })).code === 0;
}

/** What `docker inspect` says about a container the lab services care for. */
export interface ContainerState {
  /** True while the container's process runs. */
  readonly running: boolean;
  /** Value of the container's spec label (see {@link runServiceContainer}). */
  readonly spec: string | undefined;
}

/** State of container `name`, or undefined when there is none. */
export async function containerState(name: string): Promise<ContainerState | undefined> {
  const r = await docker(["container", "inspect", "--format", "{{json .State.Running}} {{json .Config.Labels}}", name], {
    allowFailure: true,
  });
  if (r.code !== 0) return undefined;
  const [running, ...labels] = r.stdout.trim().split(" ");
  const parsed = JSON.parse(labels.join(" ") || "{}") as Record<string, string> | null;
  return { running: running === "true", spec: parsed?.[SPEC_LABEL] };
}

/** Label with the hash of a service container's run arguments, to tell a stale container from a current one. */
export const SPEC_LABEL = "lab.bosun.spec";

/** Label marking every container of the lab services, with its service name as value. */
export const SERVICE_LABEL = "lab.bosun.service";

/** IPv4 address of container `name` on docker network `network`. */
export async function containerIp(name: string, network: string): Promise<string> {
  const r = await docker(["container", "inspect", "--format", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, name]);
  const ip = r.stdout.trim();
  if (!ip) throw new Error(`Cannot find the address of container ${name}: it is not on network ${network}`);
  return ip;
}

/** Names of the containers carrying {@link SERVICE_LABEL}, running or not. */
export async function serviceContainers(): Promise<string[]> {
  const r = await docker(["ps", "-a", "--filter", `label=${SERVICE_LABEL}`, "--format", "{{.Names}}"]);
  return r.stdout.split("\n").filter(Boolean);
}
