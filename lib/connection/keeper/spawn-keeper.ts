/**
 * Start a keeper (keeper-main.ts) for a connection a run is done with, detached so it outlives the
 * run. Its order, spec and password included, goes on its stdin; argv holds only the entry's path.
 */
// controller-tools: node (the keeper is this same node, running keeper-main)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { KeeperStart } from "./protocol.js";

/**
 * The keeper's entry beside this module: keeper-main.ts under tsx, keeper-main.js in dist/, or, in
 * the package's bundle (this code inlined into index.js, a lazy chunk or cli/bin.js), the bundle's
 * connection/keeper/keeper-main.js.
 */
export function keeperEntry(moduleUrl: string = import.meta.url): string | undefined {
  const here = fileURLToPath(moduleUrl);
  const dir = path.dirname(here);
  const candidates = here.endsWith(".ts")
    ? [path.join(dir, "keeper-main.ts")]
    : [
        path.join(dir, "keeper-main.js"),
        path.join(dir, "connection", "keeper", "keeper-main.js"),
        path.join(dir, "..", "connection", "keeper", "keeper-main.js"),
      ];
  return candidates.find((f) => existsSync(f));
}

/** How to run `entry` with this node: TypeScript through tsx (this process's loader when it has one). */
function nodeArgs(entry: string): { args: string[]; cwd?: string } {
  if (!entry.endsWith(".ts")) return { args: [entry] };
  const loader = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv.filter((a) => !a.startsWith("--inspect")) : undefined;
  // lib/connection/keeper/ → the repository, where tsx is installed.
  return loader ? { args: [...loader, entry] } : { args: ["--import", "tsx", entry], cwd: path.resolve(path.dirname(entry), "../../..") };
}

/** Start a keeper with `start`'s orders; false when its entry cannot be found. Never waits for it. */
export function spawnKeeper(start: KeeperStart): boolean {
  const entry = keeperEntry();
  if (!entry) return false;
  const { args, cwd } = nodeArgs(entry);
  const child = spawn(process.execPath, args, { detached: true, stdio: ["pipe", "ignore", "ignore"], ...(cwd ? { cwd } : {}) });
  child.on("error", () => undefined);
  child.stdin.on("error", () => undefined);
  child.stdin.end(JSON.stringify(start));
  child.unref();
  return true;
}
