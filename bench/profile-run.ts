/**
 * Where one bosun run's time goes, task by task: `tsx bench/profile-run.ts [--hosts N] [--name bench]`
 * (the lab must be up, e.g. `npm run bench -- --keep-lab` or `npm run lab -- up 1 --name bench`).
 * It resets the hosts, runs the benchmark playbook twice (first run, no-op run), each in a new
 * process as the benchmark does, with a listener on the runner's events (no renderer), and prints
 * the machine's CPU use and, per task of the first host: wall time, time in remote commands (as the
 * connection timed them) and the rest (bosun's own work on the controller: planning, schema
 * checks, templates, hashing, events); then the floor, for comparison.
 */
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { inspectLab, REPO_ROOT } from "../lib/lab/index.js";
import { loadInventory } from "../lib/inventory/index.js";
import { RunEvents } from "../lib/core/events.js";
import { runPlaybook } from "../lib/run/runner.js";
import { benchPlaybook, BENCH_TASKS } from "./bosun-playbook.js";
import { measureFloor } from "./floor.js";
import { pristineChecksums, resetHosts } from "./host-state.js";
import { writeInventory } from "./lab.js";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

interface TaskTime {
  title: string;
  wallMs: number;
  remoteMs: number;
  commands: number;
}

/** Busy and total CPU time of the whole machine so far (/proc/stat), in clock ticks. */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}

/** What a stretch of time cost: machine CPU busy share, and this process's CPU. */
interface CpuUse {
  /** Share of all cores that was busy, 0..1. */
  readonly machineBusy: number;
  /** This process's CPU time, ms. */
  readonly controllerMs: number;
}

async function measured<T>(work: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> {
  const m0 = machineCpu();
  const c0 = process.cpuUsage();
  const value = await work();
  const m1 = machineCpu();
  const c = process.cpuUsage(c0);
  return { value, cpu: { machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total), controllerMs: (c.user + c.system) / 1000 } };
}

interface Profile {
  readonly hosts: number;
  readonly openMs: number;
  readonly runMs: number;
  /** The first host's tasks. */
  readonly tasks: TaskTime[];
  readonly commands: number;
  readonly remoteMs: number;
  readonly cpu: CpuUse;
}

async function profiledRun(inventoryPath: string): Promise<Profile> {
  const inventory = await loadInventory(inventoryPath);
  const events = new RunEvents();
  const byHost = new Map<string, { tasks: TaskTime[]; current?: TaskTime; taskStart: number; hostStart: number; openMs: number }>();
  const of = (host: string) => {
    let h = byHost.get(host);
    if (!h) byHost.set(host, (h = { tasks: [], taskStart: 0, hostStart: 0, openMs: 0 }));
    return h;
  };
  events.on("hostStart", ({ host }) => (of(host).hostStart = performance.now()));
  events.on("taskStart", ({ host, title }) => {
    const h = of(host);
    h.taskStart = performance.now();
    if (!h.tasks.length) h.openMs = h.taskStart - h.hostStart;
    h.current = { title, wallMs: 0, remoteMs: 0, commands: 0 };
  });
  events.on("command", ({ host, durationMs }) => {
    const c = of(host).current;
    if (!c) return;
    c.remoteMs += durationMs;
    c.commands++;
  });
  events.on("taskEnd", ({ host }) => {
    const h = of(host);
    if (!h.current) return;
    h.current.wallMs = performance.now() - h.taskStart;
    h.tasks.push(h.current);
    h.current = undefined;
  });
  const t0 = performance.now();
  const { value: report, cpu } = await measured(() => runPlaybook(benchPlaybook, { inventory, forks: inventory.hosts.size, events }));
  if (report.exitCode !== 0) throw new Error(`Cannot profile: the run failed: ${JSON.stringify(report.hostErrors)}`);
  const all = [...byHost.values()];
  const first = all[0]!;
  const everyTask = all.flatMap((h) => h.tasks);
  return {
    hosts: all.length,
    openMs: first.openMs,
    runMs: performance.now() - t0,
    tasks: first.tasks,
    commands: everyTask.reduce((n, t) => n + t.commands, 0),
    remoteMs: everyTask.reduce((n, t) => n + t.remoteMs, 0),
    cpu,
  };
}

function print(label: string, r: Profile): void {
  const sum = (f: (t: TaskTime) => number) => r.tasks.reduce((n, t) => n + f(t), 0);
  const wall = sum((t) => t.wallMs);
  const remote = sum((t) => t.remoteMs);
  console.log(
    `\n${label} on ${r.hosts} host(s): runPlaybook ${r.runMs.toFixed(0)} ms; machine CPU ${(r.cpu.machineBusy * 100).toFixed(0)}% busy, bosun's process ${r.cpu.controllerMs.toFixed(0)} ms CPU`,
  );
  console.log(
    `  all hosts: ${r.commands} remote commands, ${(r.remoteMs / r.commands).toFixed(1)} ms each on average (as the connection timed them)`,
  );
  console.log(
    `  first host: connection ${r.openMs.toFixed(0)} ms + tasks ${wall.toFixed(0)} ms (${remote.toFixed(0)} ms in remote commands, ${(wall - remote).toFixed(0)} ms on the controller between them)`,
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
    options: {
      name: { type: "string", default: "bench" },
      hosts: { type: "string", default: "1" },
      run: { type: "string" },
      inventory: { type: "string" },
    },
  });
  if (values.run && values.inventory) return print(values.run, await profiledRun(values.inventory));
  const info = await inspectLab(values.name);
  if (!info) throw new Error(`Cannot profile: lab "${values.name}" is not up (npm run lab -- up 1 --name ${values.name})`);
  const hosts = info.hosts.slice(0, Number(values.hosts));
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-profile-"));
  try {
    const inventory = writeInventory(dir, info, hosts);
    await resetHosts(hosts, await pristineChecksums(hosts[0]!.container));
    child("first run", inventory);
    child("no-op run", inventory);
    const { value: floor, cpu } = await measured(() => measureFloor(hosts, BENCH_TASKS, info.keyPath));
    console.log(
      `\nfloor on ${hosts.length} host(s): ${floor.totalMs.toFixed(0)} ms = connect ${floor.connectMs.toFixed(0)} ms + ${BENCH_TASKS} x \`true\` (median ${floor.commandMedianMs.toFixed(1)} ms); machine CPU ${(cpu.machineBusy * 100).toFixed(0)}% busy, this process ${cpu.controllerMs.toFixed(0)} ms CPU`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
