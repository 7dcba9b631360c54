/**
 * keeper.log, beside the keeper's socket: one line per thing the keeper does, `<time> [<pid>] <what>`
 * (listening, kept <key>, ending <key>: <reason>; never a command or its input). Written by the
 * keeper process; read here by whoever must know what it keeps (the benchmark, the tests, a user).
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

/** Append `what` to the log `file` (0600), stamped with the time and this process's pid. */
export function writeKeeperLog(file: string, what: string): void {
  appendFileSync(file, `${new Date().toISOString()} [${process.pid}] ${what}\n`, { mode: 0o600 });
}

/** What a keeper log says: the pids of every keeper process that listened, and how many hosts are kept now. */
export interface KeeperLogState {
  readonly pids: readonly number[];
  readonly kept: number;
}

/** Read the log `file` (absent: nothing kept). */
export function readKeeperLog(file: string): KeeperLogState {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  const pids = [...text.matchAll(/\[(\d+)\] listening/g)].map((m) => Number(m[1]));
  const kept = (text.match(/\] kept [0-9a-f]+$/gm) ?? []).length - (text.match(/\] ending [0-9a-f]+:/gm) ?? []).length;
  return { pids, kept };
}
