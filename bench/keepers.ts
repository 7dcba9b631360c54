/** The connection keeper bosun's runs leave in the bench's keeper directory (lib/connection/keeper/). */
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readKeeperLog } from "../lib/connection/keeper/keeper-log.js";
import { keeperLog } from "../lib/connection/keeper/socket-path.js";

/** Wait until the keeper keeps `count` hosts (a no-op run hands them over as it ends); false after 30 s. */
export async function keepersListening(dir: string, count: number): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (readKeeperLog(keeperLog(dir)).kept >= count) return true;
    await sleep(100);
  }
  return false;
}

/** End the keeper (every process that listened in `dir`) and clear the directory. */
export function endKeepers(dir: string): void {
  for (const pid of readKeeperLog(keeperLog(dir)).pids) {
    try {
      process.kill(pid);
    } catch {
      // already ended
    }
  }
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
}
