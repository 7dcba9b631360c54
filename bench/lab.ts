/** The benchmark's lab: brought up ten hosts at a time on a busy machine, and an inventory per host count. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { labUp, listLabHosts, renderLabInventory, type LabHost, type LabInfo } from "../lib/lab/index.js";
import { runProcess } from "../lib/lab/process.js";

/** Restart lab hosts whose sshd is not up (systemd can stall when many boot at once on a busy machine). */
export async function restartStuckHosts(name: string): Promise<string[]> {
  const hosts = await listLabHosts(name);
  const states = await Promise.all(
    hosts.map(async (h) => ({
      h,
      up:
        (await runProcess(["docker", "exec", h.container, "systemctl", "is-active", "ssh"], { allowFailure: true })).stdout.trim() ===
        "active",
    })),
  );
  const stuck = states.filter((s) => !s.up).map((s) => s.h.container);
  if (stuck.length) await runProcess(["docker", "restart", ...stuck], { allowFailure: true });
  return stuck;
}

/** Bring the lab up ten hosts at a time, restarting hosts that stall; returns its info and a note. */
export async function bringUpLab(name: string, count: number, log: (line: string) => void): Promise<{ info: LabInfo; note?: string }> {
  const notes: string[] = [];
  const inotify = Number((await runProcess(["cat", "/proc/sys/fs/inotify/max_user_instances"])).stdout.trim());
  if (count > 10 && inotify < 512) {
    log(
      `warning: fs.inotify.max_user_instances is ${inotify}; every systemd lab host takes a few, and hosts fail to boot when they run out (sysctl -w fs.inotify.max_user_instances=1024)`,
    );
  }
  let info: LabInfo | undefined;
  for (let n = Math.min(10, count); ; n = Math.min(n + 10, count)) {
    for (let attempt = 1; ; attempt++) {
      try {
        info = await labUp({ name, count: n, owner: "bench" });
        break;
      } catch (error) {
        if (attempt >= 4)
          throw new Error(
            `Cannot bring up ${n} lab hosts: ${(error as Error).message} (fs.inotify.max_user_instances is ${inotify}; see run.ts)`,
          );
        const stuck = await restartStuckHosts(name);
        notes.push(`restarted ${stuck.length} host(s) that stalled at boot`);
        log(`  lab: ${(error as Error).message.split("\n")[0]}; restarted ${stuck.length} stalled host(s), retrying`);
      }
    }
    log(`  lab: ${n} hosts up`);
    if (n === count) break;
  }
  return { info: info as LabInfo, ...(notes.length ? { note: notes.join("; ") } : {}) };
}

/** Write the Ansible-format inventory of `hosts` (a slice of the lab) into `dir`; returns its path. */
export function writeInventory(dir: string, info: LabInfo, hosts: readonly LabHost[]): string {
  const file = path.join(dir, `inventory-${hosts.length}.yml`);
  writeFileSync(file, renderLabInventory({ ...info, hosts }));
  return file;
}

/** The share of the machine's CPU time that was idle over the next `ms` (from /proc/stat). */
async function idleShare(ms: number): Promise<number> {
  const sample = () => {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
  };
  const before = sample();
  await new Promise((r) => setTimeout(r, ms));
  const after = sample();
  return (after.idle - before.idle) / Math.max(1, after.total - before.total);
}

/**
 * Wait until the machine is quiet (at least 80% idle over 2 s) after the lab hosts booted, for at
 * most 90 s: the first timed runs would otherwise share the CPU with the hosts' boot, which neither
 * Ansible's runs nor bosun's meet on a VPS that is already up. Returns the idle share it ended at.
 */
export async function waitForQuiet(log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const idle = await idleShare(2000);
    if (idle >= 0.8 || Date.now() > deadline) {
      log(`  machine ${Math.round(idle * 100)}% idle${idle >= 0.8 ? "" : " (still busy after 90 s; timing anyway)"}`);
      return idle;
    }
  }
}
