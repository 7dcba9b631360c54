import { createHash } from "node:crypto";
import { LAB_NETWORK } from "../network.js";
import { containerState, docker, SERVICE_LABEL, SPEC_LABEL } from "./docker.js";

/** How a lab service container runs; a change of any field replaces the container. */
export interface ServiceContainerSpec {
  /** Container name, e.g. `bosun-lab-registry`. */
  readonly name: string;
  /** Service name, stored in the {@link SERVICE_LABEL} label. */
  readonly service: string;
  /** Image reference. */
  readonly image: string;
  /** DNS names on the lab network, e.g. `registry.lab.test`. */
  readonly aliases: readonly string[];
  /** Ports published on 127.0.0.1 as [host port, container port]. */
  readonly ports?: readonly (readonly [number, number])[];
  /** Bind mounts as [absolute host path, container path, "ro" | "rw"]. */
  readonly mounts?: readonly (readonly [string, string, "ro" | "rw"])[];
  /** Environment variables (no secrets: they would show in `docker inspect`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments after the image (the command). */
  readonly args?: readonly string[];
  /** Share this container's network namespace (a sidecar answering on its address) instead of joining the lab network; then no aliases and no ports. */
  readonly joins?: string;
}

/** What {@link ensureServiceContainer} did. */
export type ContainerAction = "kept" | "started";

function specHash(spec: ServiceContainerSpec): string {
  return createHash("sha256").update(JSON.stringify(spec)).digest("hex").slice(0, 16);
}

/** docker run arguments of `spec`, detached, with tini as PID 1 and restarted with dockerd. */
export function runArgs(spec: ServiceContainerSpec): string[] {
  return [
    "run",
    "-d",
    "--name",
    spec.name,
    "--init",
    "--restart",
    "unless-stopped",
    "--network",
    spec.joins ? `container:${spec.joins}` : LAB_NETWORK,
    ...spec.aliases.flatMap((a) => ["--network-alias", a]),
    "--label",
    `${SERVICE_LABEL}=${spec.service}`,
    "--label",
    `${SPEC_LABEL}=${specHash(spec)}`,
    ...(spec.ports ?? []).flatMap(([h, c]) => ["-p", `127.0.0.1:${h}:${c}`]),
    ...(spec.mounts ?? []).flatMap(([src, dst, mode]) => ["-v", `${src}:${dst}:${mode}`]),
    ...Object.entries(spec.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    spec.image,
    ...(spec.args ?? []),
  ];
}

/** Keep the container of `spec` when it runs with the same spec; otherwise (re)create it. */
export async function ensureServiceContainer(spec: ServiceContainerSpec): Promise<ContainerAction> {
  const state = await containerState(spec.name);
  if (state?.running && state.spec === specHash(spec)) return "kept";
  if (state) await docker(["rm", "-f", spec.name]);
  const r = await docker(runArgs(spec), { allowFailure: true });
  if (r.code !== 0) {
    const busy = /address already in use|port is already allocated/.exec(r.stderr);
    const ports = (spec.ports ?? []).map(([h]) => `127.0.0.1:${h}`).join(", ");
    await docker(["rm", "-f", spec.name], { allowFailure: true });
    throw new Error(
      busy ? `Cannot start ${spec.service}: ${ports} is in use by another program` : `Cannot start ${spec.service}: ${r.stderr.trim()}`,
    );
  }
  return "started";
}
