/**
 * One bosun run of the benchmark playbook in its own process, the way run.ts times it:
 * `node bench/.build/bosun-child.js --inventory FILE --forks N --out FILE` (compiled by tools.ts), or
 * `node --import tsx bench/bosun-child.ts ...`. bosun itself comes from the package (dist/).
 * It calls runPlaybook directly with no renderer (nothing subscribes to the events) and writes
 * what it measured as JSON: start-up, import and run times, CPU, peak RSS and the report's counts.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** Per-task counts of one host's run. */
export interface ChildTask {
  /** Task id (`files.ensureDir`). */
  readonly task: string;
  /** Task title. */
  readonly title: string;
  /** Whether it changed the host. */
  readonly changed: boolean;
  /** Whether it failed. */
  readonly failed: boolean;
  /** Remote commands it ran. */
  readonly commands: number;
  /** Wall time of the task, ms. */
  readonly durationMs: number;
}

/** What a child run writes. */
export interface ChildResult {
  /** ms from process start to the first line of this module (node + tsx start-up). */
  readonly bootMs: number;
  /** ms to import bosun and the playbook. */
  readonly importMs: number;
  /** ms of runPlaybook (connections, checks, applies, close). */
  readonly runMs: number;
  /** ms from process start to the end of the run. */
  readonly totalMs: number;
  /** Peak resident set size of this process, KiB. */
  readonly maxRssKb: number;
  /** CPU time, ms (user, system). */
  readonly cpuUserMs: number;
  readonly cpuSysMs: number;
  /** The run's exit code (0: all hosts ok). */
  readonly exitCode: number;
  /** Host errors, if any. */
  readonly hostErrors: Record<string, string>;
  /** Per host: tasks, changed tasks, failed tasks, remote commands. */
  readonly hosts: Record<string, { ok: number; changed: number; failed: number; unreachable: number; commands: number }>;
  /** The first host's task results, in order. */
  readonly tasks: readonly ChildTask[];
}

async function main(): Promise<void> {
  const bootMs = performance.now();
  const { values } = parseArgs({
    options: {
      inventory: { type: "string" },
      forks: { type: "string" },
      out: { type: "string" },
      prefetch: { type: "boolean", default: false },
      "cache-dir": { type: "string" },
      "connect-only": { type: "boolean", default: false },
    },
  });
  if (!values.inventory || !values.forks || !values.out)
    throw new Error("usage: bosun-child.ts --inventory FILE --forks N --out FILE [--prefetch --cache-dir DIR] [--connect-only]");
  const [{ runPlaybook, loadInventory, playbook }, { benchPlaybook }] = await Promise.all([import("bosun"), import("./bosun-playbook.js")]);
  // --connect-only: a play without tasks, so the run only connects (the round trips a connection costs).
  const book = values["connect-only"] ? playbook({ name: "bench-connect", hosts: "all", run: async () => {} }) : benchPlaybook;
  const inventory = await loadInventory(values.inventory);
  const importMs = performance.now() - bootMs;
  const t0 = performance.now();
  const report = await runPlaybook(book, {
    inventory,
    forks: Number(values.forks),
    prefetch: values.prefetch,
    ...(values["cache-dir"] ? { cacheDir: values["cache-dir"] } : {}),
  });
  const runMs = performance.now() - t0;
  const usage = process.resourceUsage();
  const first = report.plays[0]?.hosts[0];
  const result: ChildResult = {
    bootMs,
    importMs,
    runMs,
    totalMs: performance.now(),
    maxRssKb: usage.maxRSS,
    cpuUserMs: usage.userCPUTime / 1000,
    cpuSysMs: usage.systemCPUTime / 1000,
    exitCode: report.exitCode,
    hostErrors: report.hostErrors,
    hosts: Object.fromEntries(
      Object.entries(report.stats).map(([h, s]) => [
        h,
        { ok: s.ok, changed: s.changed, failed: s.failed, unreachable: s.unreachable, commands: s.commands },
      ]),
    ),
    tasks: (report.plays[0]?.results ?? [])
      .filter((r) => r.host === first)
      .map((r) => ({ task: r.task, title: r.title, changed: r.changed, failed: r.failed, commands: r.commands, durationMs: r.durationMs })),
  };
  writeFileSync(values.out, JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
