import { runProcess } from "./process.js";

/** Name of the user-defined docker bridge network shared by lab hosts and lab services. */
export const LAB_NETWORK = "bosun-lab";

/** DNS suffix of lab names: host `lab1` answers as `lab1.lab.test` on {@link LAB_NETWORK}. */
export const LAB_DOMAIN = "lab.test";

/** Create the {@link LAB_NETWORK} bridge network if it does not exist yet; idempotent. */
export async function ensureLabNetwork(): Promise<void> {
  const probe = await runProcess(["docker", "network", "inspect", LAB_NETWORK], { allowFailure: true });
  if (probe.code === 0) return;
  const created = await runProcess(["docker", "network", "create", "--driver", "bridge", "--label", "bosun.lab=1", LAB_NETWORK], {
    allowFailure: true,
  });
  // Another process may have created it in between: that is success too.
  if (created.code !== 0 && !/already exists/.test(created.stderr)) {
    throw new Error(`Cannot create docker network ${LAB_NETWORK}: ${created.stderr.trim()}`);
  }
}

/** Remove the {@link LAB_NETWORK} network when no container uses it any more; true if removed. */
export async function removeLabNetworkIfUnused(): Promise<boolean> {
  const probe = await runProcess(["docker", "network", "inspect", "--format", "{{len .Containers}}", LAB_NETWORK], { allowFailure: true });
  if (probe.code !== 0 || probe.stdout.trim() !== "0") return false;
  const removed = await runProcess(["docker", "network", "rm", LAB_NETWORK], { allowFailure: true });
  return removed.code === 0;
}
