/** End every connection the keeper keeps, at once (OpenSSH's `ssh -O exit`): the next run logs in afresh. */
import { KeeperClient } from "./kept-connection.js";
import { keeperDir, keeperSocket } from "./socket-path.js";

/** How many kept connections were ended; undefined when no keeper listens in `dir`. */
export async function forgetKeptConnections(dir: string = keeperDir()): Promise<number | undefined> {
  const client = await KeeperClient.connect(keeperSocket(dir), () => new Error("the keeper went away"));
  if (!client) return undefined;
  try {
    const answer = await client.ask({ op: "stop" });
    return "ended" in answer ? answer.ended : undefined;
  } finally {
    client.end();
  }
}
