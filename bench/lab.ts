/** The benchmark's lab: brought up ten hosts at a time on a busy machine, and an inventory per host count. */
import { writeFileSync } from "node:fs";
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
