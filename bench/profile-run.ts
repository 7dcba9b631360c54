/**
 * Where one bosun run's time goes, task by task, on one lab host: `tsx bench/profile-run.ts [--name bench]`
 * (the lab must be up, e.g. `npm run bench -- --keep-lab` or `npm run lab -- up 1 --name bench`).
 * It resets the host, runs the benchmark playbook twice (first run, no-op run), each in a new
 * process as the benchmark does, with a listener on the runner's events (no renderer), and prints, per task: wall time, time in
 * remote commands (as the connection measured them) and the rest (bosun's own work on the
 * controller: planning, schema checks, templates, hashing, event handling), then the floor's
 * per-command time for comparison.
 */
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { inspectLab, REPO_ROOT } from "../lib/lab/index.js";
import { loadInventory } from "../lib/inventory/index.js";
import { RunEvents } from "../lib/core/events.js";
import { runPlaybook } from "../lib/core/runner.js";
import { benchPlaybook, BENCH_TASKS } from "./bosun-playbook.js";
import { measureFloor } from "./floor.js";
import { pristineChecksums, resetHosts } from "./host-state.js";
import { writeInventory } from "./lab.js";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

interface TaskTime {
  title: string;
  wallMs: number;
  remoteMs: number;
  commands: number;
}

async function profiledRun(inventoryPath: string): Promise<{ openMs: number; runMs: number; tasks: TaskTime[] }> {
  const inventory = await loadInventory(inventoryPath);
  const events = new RunEvents();
  const tasks: TaskTime[] = [];
  let current: TaskTime | undefined;
  let hostStart = 0;
  let openMs = 0;
  let taskStart = 0;
  events.on("hostStart", () => (hostStart = performance.now()));
  events.on("taskStart", ({ title }) => {
    taskStart = performance.now();
    if (!tasks.length) openMs = taskStart - hostStart;
    current = { title, wallMs: 0, remoteMs: 0, commands: 0 };
  });
  events.on("command", ({ durationMs }) => {
    if (!current) return;
    current.remoteMs += durationMs;
    current.commands++;
  });
  events.on("taskEnd", () => {
    if (!current) return;
    current.wallMs = performance.now() - taskStart;
    tasks.push(current);
    current = undefined;
  });
  const t0 = performance.now();
  const report = await runPlaybook(benchPlaybook, { inventory, forks: 1, events });
  if (report.exitCode !== 0) throw new Error(`Cannot profile: the run failed: ${JSON.stringify(report.hostErrors)}`);
  return { openMs, runMs: performance.now() - t0, tasks };
}

function print(label: string, r: Awaited<ReturnType<typeof profiledRun>>): void {
  const sum = (f: (t: TaskTime) => number) => r.tasks.reduce((n, t) => n + f(t), 0);
  const wall = sum((t) => t.wallMs);
  const remote = sum((t) => t.remoteMs);
  console.log(
    `\n${label}: runPlaybook ${r.runMs.toFixed(0)} ms = connection ${r.openMs.toFixed(0)} ms + tasks ${wall.toFixed(0)} ms + close/rest ${(r.runMs - r.openMs - wall).toFixed(0)} ms`,
  );
  console.log(
    `  tasks: ${sum((t) => t.commands)} remote commands, ${remote.toFixed(0)} ms in them; ${(wall - remote).toFixed(0)} ms on the controller between them`,
  );
  console.log(`  ${"task".padEnd(48)} ${"wall".padStart(6)} ${"remote".padStart(6)} ${"local".padStart(6)} cmds`);
  for (const t of r.tasks) {
    console.log(
      `  ${t.title.slice(0, 48).padEnd(48)} ${t.wallMs.toFixed(0).padStart(6)} ${t.remoteMs.toFixed(0).padStart(6)} ${(t.wallMs - t.remoteMs).toFixed(0).padStart(6)} ${t.commands}`,
    );
  }
}

/** Run the playbook once in a new process (`--run`), which prints its own profile. */
function child(label: string, inventory: string): void {
  const argv = ["--import", "tsx", "bench/profile-run.ts", "--run", label, "--inventory", inventory];
  const r = spawnSync("node", argv, { cwd: REPO_ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`Cannot profile the ${label}: exit ${r.status}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: "string", default: "bench" }, run: { type: "string" }, inventory: { type: "string" } },
  });
  if (values.run && values.inventory) return print(values.run, await profiledRun(values.inventory));
  const info = await inspectLab(values.name);
  if (!info) throw new Error(`Cannot profile: lab "${values.name}" is not up (npm run lab -- up 1 --name ${values.name})`);
  const hosts = info.hosts.slice(0, 1);
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-profile-"));
  try {
    const inventory = writeInventory(dir, info, hosts);
    await resetHosts(hosts, await pristineChecksums(hosts[0]!.container));
    child("first run", inventory);
    child("no-op run", inventory);
    const floor = await measureFloor(hosts, BENCH_TASKS, info.keyPath);
    console.log(
      `\nfloor: ${floor.totalMs.toFixed(0)} ms = connect ${floor.connectMs.toFixed(0)} ms + ${BENCH_TASKS} x \`true\` (median ${floor.commandMedianMs.toFixed(1)} ms)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
