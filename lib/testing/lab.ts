/**
 * Disposable lab hosts for a user's tests: Debian containers running systemd and sshd, reached
 * over real SSH with a lab key and strict host keys, with an Ansible-format inventory.
 */
import { labDown, labUp, type LabHost, type LabVariant } from "../lab/index.js";
import { loadInventory } from "../inventory/index.js";
import type { Inventory } from "../inventory/types.js";

/** Options for {@link startLab}. */
export interface StartLabOptions {
  /** Hosts are `<name>1..N`; unique per test file (default `kit`). */
  readonly name?: string;
  /** Number of hosts (default 1). */
  readonly count?: number;
  /** Image variant (default `fresh`: a new VPS with only sshd and a root key). */
  readonly variant?: LabVariant;
  /** Progress lines (silent when omitted). */
  readonly log?: (line: string) => void;
}

/** A running lab. */
export interface Lab {
  /** Lab name. */
  readonly name: string;
  /** Its hosts, in index order. */
  readonly hosts: readonly LabHost[];
  /** The generated inventory file (Ansible YAML). */
  readonly inventoryPath: string;
  /** The inventory, loaded. */
  readonly inventory: Inventory;
  /** Remove the hosts, their volumes and files. */
  down(): Promise<void>;
}

/** Start (or reuse) lab hosts and load their inventory; `down()` removes them. Needs docker (installed when missing). */
export async function startLab(options: StartLabOptions = {}): Promise<Lab> {
  const name = options.name ?? "kit";
  const info = await labUp({
    name,
    count: options.count ?? 1,
    variant: options.variant ?? "fresh",
    owner: process.env.BOSUN_LAB_RUN_ID,
    log: options.log,
  });
  const inventory = await loadInventory(info.inventoryPath);
  return {
    name,
    hosts: info.hosts,
    inventoryPath: info.inventoryPath,
    inventory,
    down: async () => void (await labDown({ name })),
  };
}
