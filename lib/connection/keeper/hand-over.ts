/**
 * Connections a run is done with, handed to the keeper: sent over its socket when one listens, else
 * a keeper is started with them (spawn-keeper.ts). The connections a run closes together (one per
 * host) go in one hand-over, so ten hosts start one keeper, not ten.
 */
import { UnreachableError } from "../../core/errors.js";
import { KeeperClient } from "./kept-connection.js";
import type { KeepOrder } from "./protocol.js";
import { spawnKeeper } from "./spawn-keeper.js";

/** Where the keeper listens and logs. */
export interface KeeperPlace {
  readonly socket: string;
  readonly logFile: string;
}

/** Send `orders` to the keeper on `place.socket`, or start one with them; false when neither could be done. */
export async function handOverNow(place: KeeperPlace, orders: readonly KeepOrder[], spawn = spawnKeeper): Promise<boolean> {
  const client = await KeeperClient.connect(place.socket, () => new UnreachableError("the keeper went away"));
  if (client) {
    const answer = await client.ask({ op: "keep", orders }).catch(() => undefined);
    client.end();
    if (answer) return true;
  }
  return spawn({ orders, socket: place.socket, logFile: place.logFile });
}

const waiting = new Map<string, { orders: KeepOrder[]; done: Promise<boolean> }>();

/**
 * Hand `order` over with every other order given in the same turn of the event loop (a run's
 * connections close together); resolves when the keeper has them or was started.
 */
export function handOver(place: KeeperPlace, order: KeepOrder): Promise<boolean> {
  const batch = waiting.get(place.socket);
  if (batch) {
    batch.orders.push(order);
    return batch.done;
  }
  const orders = [order];
  const done = new Promise<boolean>((resolve) =>
    setImmediate(() => {
      waiting.delete(place.socket);
      resolve(handOverNow(place, orders).catch(() => false));
    }),
  );
  waiting.set(place.socket, { orders, done });
  return done;
}
