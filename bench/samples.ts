/** A timed run turned into a sample: checked (exit 0, every host, the right number of changes) and counted. */
import { BENCH_TASKS } from "./bosun-playbook.js";
import type { RunKind, Sample } from "./report.js";
import type { RunSample } from "./tools.js";

/** Is this run what it should be: exit 0, all hosts, every task changed (first) or none (no-op)? */
function problemOf(r: RunSample, hosts: number, kind: RunKind): string | undefined {
  const counts = Object.values(r.hosts);
  const wantChanged = kind === "first" ? BENCH_TASKS - 1 : 0; // the read-only command never changes
  if (r.exitCode !== 0) return `exit ${r.exitCode}: ${r.log ?? ""}`;
  if (counts.length !== hosts) return `${counts.length} hosts reported, not ${hosts}`;
  if (r.tasks !== BENCH_TASKS) return `${r.tasks} tasks ran, not ${BENCH_TASKS}`;
  const wrong = counts.find((c) => c.changed !== wantChanged || c.failed || c.unreachable);
  if (wrong)
    return `a host reported changed=${wrong.changed} failed=${wrong.failed} unreachable=${wrong.unreachable}; expected changed=${wantChanged}`;
  return undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** The sample of a run, with the problem that makes it invalid, if any. */
export function toSample(r: RunSample, base: Pick<Sample, "hosts" | "rep" | "tool" | "kind" | "order" | "loadBefore">): Sample {
  const problem = problemOf(r, base.hosts, base.kind);
  const counts = Object.values(r.hosts);
  const commands = counts.map((c) => c.commands).filter((c): c is number => c !== undefined);
  return {
    ...base,
    valid: !problem,
    ...(problem ? { problem } : {}),
    wallMs: r.wallMs,
    runMs: r.runMs,
    cpuS: r.cpuS,
    maxRssKb: r.maxRssKb,
    changedPerHost: counts.length ? Math.min(...counts.map((c) => c.changed)) : 0,
    ...(commands.length ? { commandsPerHost: median(commands) } : {}),
  };
}
