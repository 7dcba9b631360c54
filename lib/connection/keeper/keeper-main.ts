/**
 * The keeper process (started detached by spawn-keeper.ts): reads its first orders as JSON on stdin
 * (a spec may hold a password, so never argv), listens, and logs in to each host in the background,
 * starting the shell session so the next run's first command needs no start-up. When another
 * keeper already listens (two runs ended at once), it hands its orders to that one and ends.
 */
import type { SshSpec } from "../../core/connection.js";
import { SshConnection } from "../ssh.js";
import { handOverNow } from "./hand-over.js";
import { ConnectionKeeper, KeeperTakenError } from "./keeper.js";
import { writeKeeperLog } from "./keeper-log.js";
import type { KeeperStart } from "./protocol.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function login(spec: SshSpec): Promise<SshConnection> {
  const connection = new SshConnection(spec);
  try {
    await connection.open();
    await connection.exec({ text: "true" });
    return connection;
  } catch (e) {
    await connection.close();
    throw e;
  }
}

async function keep(start: KeeperStart): Promise<void> {
  const log = (line: string) => writeKeeperLog(start.logFile, line);
  // Nobody sees its stderr: say why it ended where `keeper.log` readers look, and end (runs then log in themselves).
  process.on("uncaughtException", (e) => {
    log(`ending: ${e.stack ?? e.message}`);
    process.exit(1);
  });
  let keeper: ConnectionKeeper;
  try {
    keeper = await ConnectionKeeper.start({ socket: start.socket, connect: login, log });
  } catch (e) {
    if (!(e instanceof KeeperTakenError)) return log(`cannot listen: ${(e as Error).message}`);
    // Another keeper won the socket: it keeps these too (never start a third).
    await handOverNow(start, start.orders, () => false);
    return;
  }
  keeper.keep(start.orders);
  await keeper.ended;
}

await keep(JSON.parse(await readStdin()) as KeeperStart);
process.exit(0);
