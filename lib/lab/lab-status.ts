import { imageExists, LAB_VARIANTS, labImageTag, type LabVariant } from "./image.js";
import { listLabHosts, type LabHostStatus } from "./lab-state.js";
import { LAB_NETWORK } from "./network.js";
import { runProcess } from "./process.js";

/** What is on this machine: lab hosts, images and the network. */
export interface LabStatus {
  /** Every lab host, sorted by lab then index. */
  readonly hosts: readonly LabHostStatus[];
  /** Image tag per variant and whether it is built. */
  readonly images: ReadonlyArray<{ readonly variant: LabVariant; readonly tag: string; readonly built: boolean }>;
  /** True when the {@link LAB_NETWORK} network exists. */
  readonly network: boolean;
}

/** Report the lab hosts, images and network on this machine (reads docker only, changes nothing). */
export async function labStatus(): Promise<LabStatus> {
  const [hosts, images, network] = await Promise.all([
    listLabHosts(),
    Promise.all(
      LAB_VARIANTS.map(async (variant) => {
        const tag = labImageTag(variant);
        return { variant, tag, built: await imageExists(tag) };
      }),
    ),
    runProcess(["docker", "network", "inspect", LAB_NETWORK], { allowFailure: true }).then((r) => r.code === 0),
  ]);
  return { hosts, images, network };
}
