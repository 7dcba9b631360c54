/** The connection keeper bosun's runs leave in the bench's keeper directory (lib/connection/keeper/). */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const logOf = (dir: string): string => {
  const file = path.join(dir, "keeper.log");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
};

/** Hosts the keeper keeps now: its "kept" lines less its "ending" ones. */
const kept = (dir: string): number =>
  (logOf(dir).match(/\] kept [0-9a-f]+$/gm) ?? []).length - (logOf(dir).match(/\] ending [0-9a-f]+:/gm) ?? []).length;

/** Wait until the keeper keeps `count` hosts (a no-op run hands them over as it ends); false after 30 s. */
export async function keepersListening(dir: string, count: number): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if (kept(dir) >= count) return true;
    await sleep(100);
  }
  return false;
}

/** End the keeper (every process that listened in `dir`) and clear the directory. */
export function endKeepers(dir: string): void {
  for (const m of logOf(dir).matchAll(/\[(\d+)\] listening/g)) {
    try {
      process.kill(Number(m[1]));
    } catch {
      // already ended
    }
  }
  for (const f of readdirSync(dir)) rmSync(path.join(dir, f), { force: true });
}
