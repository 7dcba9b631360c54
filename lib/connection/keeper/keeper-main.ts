/**
 * The keeper process (spawned detached by spawn-keeper.ts): reads what to keep as JSON on stdin
 * (the spec may hold a password, so never argv), connects, starts the shell session so the next
 * run's first command needs no start-up, and serves until keeper.ts says to end.
 */
import { appendFileSync } from "node:fs";
import type { SshSpec } from "../../core/connection.js";
import { SshConnection } from "../ssh.js";
import { ConnectionKeeper, KeeperTakenError } from "./keeper.js";

/** What a keeper is told on stdin. */
export interface KeeperOrder {
  readonly spec: SshSpec;
  readonly socket: string;
  /** Idle time in seconds; null: no limit. */
  readonly idleSeconds: number | null;
  /** A file for the keeper's own lines (never commands or input). */
  readonly logFile?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function keep(order: KeeperOrder): Promise<void> {
  const log = (line: string) => {
    if (order.logFile) appendFileSync(order.logFile, `${new Date().toISOString()} [${process.pid}] ${line}\n`, { mode: 0o600 });
  };
  const connection = new SshConnection(order.spec);
  try {
    await connection.open();
    await connection.exec({ text: "true" });
  } catch (e) {
    log(`cannot connect: ${(e as Error).message}`);
    await connection.close();
    return;
  }
  try {
    const keeper = await ConnectionKeeper.start({
      socket: order.socket,
      idleMs: order.idleSeconds === null ? Infinity : order.idleSeconds * 1000,
      connection,
      log,
    });
    await keeper.ended;
  } catch (e) {
    log(e instanceof KeeperTakenError ? e.message : `cannot listen: ${(e as Error).message}`);
    await connection.close();
  }
}

await keep(JSON.parse(await readStdin()) as KeeperOrder);
process.exit(0);
