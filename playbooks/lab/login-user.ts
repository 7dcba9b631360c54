/**
 * Which lab hosts the inventory's user (the deploy user) can log in to yet: none before bootstrap
 * ran, like a fresh VPS that only takes root. The demo runs their first bootstrap with
 * `ansible_user=root` as an extra var, exactly what `-e ansible_user=root` does on the command line.
 */
import { createConnection } from "../../lib/connection/connect.js";
import { UnreachableError } from "../../lib/core/errors.js";
import type { Inventory, InventoryHost } from "../../lib/inventory/types.js";

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
