import { withLabLock } from "./lock.js";
import { runProcess } from "./process.js";

/** Name of the user-defined docker bridge network shared by lab hosts and lab services. */
export const LAB_NETWORK = "bosun-lab";

/** DNS suffix of lab names: host `lab1` answers as `lab1.lab.test` on {@link LAB_NETWORK}. */
export const LAB_DOMAIN = "lab.test";

/** The ids of the networks named exactly {@link LAB_NETWORK} (docker allows several of one name). */
async function labNetworkIds(): Promise<string[]> {
  const r = await runProcess(["docker", "network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}"]);
  return r.stdout
    .split("\n")
    .map((line) => line.trim().split(" "))
    .filter(([, name]) => name === LAB_NETWORK)
    .map(([id]) => id as string);
}

async function containersOn(id: string): Promise<number> {
  const r = await runProcess(["docker", "network", "inspect", "--format", "{{len .Containers}}", id], { allowFailure: true });
  return r.code === 0 ? Number(r.stdout.trim()) : 0;
}

/** Remove the unused networks among `ids`, keeping one when `keepOne` (the busiest); returns how many are left. */
async function pruneNetworks(ids: readonly string[], keepOne: boolean): Promise<number> {
  const counted = await Promise.all(ids.map(async (id) => ({ id, containers: await containersOn(id) })));
  counted.sort((a, b) => b.containers - a.containers);
  let left = 0;
  for (const [i, n] of counted.entries()) {
    if (n.containers > 0 || (keepOne && i === 0)) left++;
    else await runProcess(["docker", "network", "rm", n.id], { allowFailure: true });
  }
  return left;
}

/**
 * Create the {@link LAB_NETWORK} bridge network if it does not exist yet; idempotent. Parallel
 * callers (jest workers, the CLI) take a lock, since docker would happily create two networks of
 * one name (and then refuse to attach containers to "an ambiguous network"); duplicates left by an
 * older run are pruned here.
 */
export async function ensureLabNetwork(): Promise<void> {
  await withLabLock("network", async () => {
    const ids = await labNetworkIds();
    if (ids.length > 1) await pruneNetworks(ids, true);
    if (ids.length > 0) return;
    const created = await runProcess(["docker", "network", "create", "--driver", "bridge", "--label", "bosun.lab=1", LAB_NETWORK], {
      allowFailure: true,
    });
    if (created.code !== 0) throw new Error(`Cannot create docker network ${LAB_NETWORK}: ${created.stderr.trim()}`);
  });
}

/** Remove the {@link LAB_NETWORK} network(s) that no container uses any more; true if none is left. */
export async function removeLabNetworkIfUnused(): Promise<boolean> {
  return withLabLock("network", async () => (await pruneNetworks(await labNetworkIds(), false)) === 0);
}
