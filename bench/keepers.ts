/** The connection keepers bosun's runs leave in the bench's keeper directory (lib/connection/keeper/). */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const sockets = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".sock"));

/** Wait until `count` keepers listen in `dir` (a no-op run's keepers start after it ended); false after 30 s. */
export async function keepersListening(dir: string, count: number): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (sockets(dir).length >= count) return true;
    await sleep(100);
  }
  return false;
}

/** End every keeper that logged in `dir` and clear it. */
export function endKeepers(dir: string): void {
  for (const log of readdirSync(dir).filter((f) => f.endsWith(".log")))
    for (const m of readFileSync(path.join(dir, log), "utf8").matchAll(/\[(\d+)\] listening/g)) {
      try {
        process.kill(Number(m[1]));
      } catch {
        // already ended
      }
    }
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
}
