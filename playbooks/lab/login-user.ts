/**
 * Which user can log in to each lab host: the deploy user once bootstrap ran, root before. The
 * demo runs the first bootstrap as root (what `-e ansible_user=root` says on the command line) and
 * everything else as the deploy user.
 */
import { createConnection } from "../../lib/connection/connect.js";
import { UnreachableError } from "../../lib/core/errors.js";
import { becomeFromVars, connectionFromVars } from "../../lib/inventory/index.js";
import type { Inventory, InventoryHost } from "../../lib/inventory/types.js";

/** The same inventory with every host (or the `only` ones) logging in as `user`. */
export function inventoryAsUser(inventory: Inventory, user: string, only?: readonly string[]): Inventory {
  const hosts = new Map<string, InventoryHost>();
  for (const [name, h] of inventory.hosts) {
    if (only && !only.includes(name)) {
      hosts.set(name, h);
      continue;
    }
    const vars = { ...h.vars, ansible_user: user };
    hosts.set(name, { ...h, vars, connection: connectionFromVars(name, vars), become: becomeFromVars(name, vars) });
  }
  return { ...inventory, hosts };
}

/** Whether `host` accepts a login with its inventory connection (authentication failures: false). */
export async function canLogIn(host: InventoryHost): Promise<boolean> {
  const connection = createConnection({ ...host.connection, ...(host.connection.kind === "ssh" ? { connectRetries: 0 } : {}) });
  try {
    await connection.open();
    return true;
  } catch (error) {
    if (error instanceof UnreachableError && /authentication failed/.test(error.message)) return false;
    throw error;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** The hosts of `inventory` its own user cannot log in to yet (fresh hosts: bootstrap them as root). */
export async function hostsNeedingRoot(inventory: Inventory): Promise<string[]> {
  const names = [...inventory.hosts.keys()];
  const ok = await Promise.all(names.map((n) => canLogIn(inventory.hosts.get(n)!)));
  return names.filter((_, i) => !ok[i]);
}
