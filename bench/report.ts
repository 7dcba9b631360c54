/** The benchmark's results: the raw JSON shape, and the summary and verdicts computed from it. */
import type { FloorResult } from "./floor.js";
import type { MachineInfo } from "./machine.js";
import type { MemoryPeak } from "./memory.js";
import type { StartupStep } from "./startup.js";
import { spread, type Spread } from "./stats.js";
import type { Tool } from "./tools.js";

/** First run on fresh hosts, or the no-op re-run right after it. */
export type RunKind = "first" | "noop";

/** One timed run. */
export interface Sample {
  readonly hosts: number;
  readonly rep: number;
  readonly tool: Tool;
  readonly kind: RunKind;
  /** 0 when this tool went first in its repetition, 1 when second. */
  readonly order: number;
  /** 1-minute load average just before the run. */
  readonly loadBefore: number;
  /** False when the run failed or changed what it should not have (then left out of the summary). */
  readonly valid: boolean;
  readonly problem?: string;
  readonly wallMs: number;
  readonly runMs: number;
  readonly cpuS: number;
  readonly maxRssKb: number;
  /** Changed tasks per host (min over hosts). */
  readonly changedPerHost: number;
  /** Remote commands per host (bosun; median over hosts). */
  readonly commandsPerHost?: number;
}

/** Remote commands of one bosun task, first run and no-op run. */
export interface TaskCommands {
  readonly task: string;
  readonly title: string;
  readonly first: number;
  readonly firstChanged: boolean;
  readonly noop: number;
}

/** Memory of one tool at the largest host count. */
export interface MemoryRun {
  readonly tool: Tool;
  readonly kind: RunKind;
  readonly hosts: number;
  /** Largest single process, KiB. */
  readonly maxRssKb: number;
  /** Peak of the whole tree, sampled. */
  readonly tree?: MemoryPeak;
}

/** Everything a benchmark run wrote (bench/results/latest.json). */
export interface BenchResults {
  readonly machine: MachineInfo;
  readonly endLoadAverage: readonly number[];
  readonly durationMs: number;
  readonly config: {
    readonly hostCounts: readonly number[];
    readonly reps: Readonly<Record<string, number>>;
    readonly tasks: number;
    readonly ansible: string;
    readonly bosun: string;
    readonly reset: string;
  };
  readonly lab: { readonly hosts: number; readonly upMs: number; readonly note?: string };
  readonly samples: readonly Sample[];
  readonly floor: readonly (FloorResult & { readonly rep: number })[];
  readonly equivalence: readonly { readonly hosts: number; readonly same: boolean; readonly diff?: string }[];
  readonly commands: readonly TaskCommands[];
  readonly memory: readonly MemoryRun[];
  /** Where bosun's process start-up goes. */
  readonly startup: readonly StartupStep[];
}

/** The summary of one host count and run kind. */
export interface Row {
  readonly hosts: number;
  readonly kind: RunKind;
  readonly ansibleWall: Spread;
  readonly bosunWall: Spread;
  /** Ansible / bosun, repetition by repetition, on wall time. */
  readonly ratioWall: Spread;
  /** bosun with the playbook through tsx (no-op runs only), and Ansible / that, pair by pair. */
  readonly tsxWall: Spread;
  readonly ratioTsxWall: Spread;
  readonly ansibleRun: Spread;
  readonly bosunRun: Spread;
  /** Ansible / bosun, repetition by repetition, inside the run. */
  readonly ratioRun: Spread;
  readonly floor: Spread;
  /** Ansible's run / the floor, repetition by repetition: the best ratio a tool at the floor could reach. */
  readonly ansibleToFloor: Spread;
  /** bosun's runPlaybook time / the floor, repetition by repetition. */
  readonly bosunToFloor: Spread;
  /** Wall time outside the run (interpreter start-up, imports, exit), ms. */
  readonly ansibleStartup: Spread;
  readonly bosunStartup: Spread;
  readonly ansibleCpu: Spread;
  readonly bosunCpu: Spread;
  readonly invalid: number;
}

function valid(samples: readonly Sample[], hosts: number, kind: RunKind, tool: Tool): Sample[] {
  return samples.filter((s) => s.hosts === hosts && s.kind === kind && s.tool === tool && s.valid);
}

/** Summarise the samples per host count and run kind. */
export function summarise(r: BenchResults): Row[] {
  const rows: Row[] = [];
  for (const hosts of r.config.hostCounts) {
    const floors = r.floor.filter((f) => f.hosts === hosts);
    for (const kind of ["first", "noop"] as const) {
      const a = valid(r.samples, hosts, kind, "ansible");
      const b = valid(r.samples, hosts, kind, "bosun");
      const t = valid(r.samples, hosts, kind, "bosun-tsx");
      const pairs = a.flatMap((x) => b.filter((y) => y.rep === x.rep).map((y) => [x, y] as const));
      const tsxPairs = a.flatMap((x) => t.filter((y) => y.rep === x.rep).map((y) => [x, y] as const));
      const floorOf = (rep: number) => floors.find((f) => f.rep === rep)?.totalMs ?? NaN;
      rows.push({
        hosts,
        kind,
        ansibleWall: spread(a.map((s) => s.wallMs)),
        bosunWall: spread(b.map((s) => s.wallMs)),
        ratioWall: spread(pairs.map(([x, y]) => x.wallMs / y.wallMs)),
        tsxWall: spread(t.map((s) => s.wallMs)),
        ratioTsxWall: spread(tsxPairs.map(([x, y]) => x.wallMs / y.wallMs)),
        ansibleRun: spread(a.map((s) => s.runMs)),
        bosunRun: spread(b.map((s) => s.runMs)),
        ratioRun: spread(pairs.map(([x, y]) => x.runMs / y.runMs)),
        floor: spread(floors.map((f) => f.totalMs)),
        ansibleToFloor: spread(a.map((s) => s.runMs / floorOf(s.rep))),
        bosunToFloor: spread(b.map((s) => s.runMs / floorOf(s.rep))),
        ansibleStartup: spread(a.map((s) => s.wallMs - s.runMs)),
        bosunStartup: spread(b.map((s) => s.wallMs - s.runMs)),
        ansibleCpu: spread(a.map((s) => s.cpuS)),
        bosunCpu: spread(b.map((s) => s.cpuS)),
        invalid: r.samples.filter((s) => s.hosts === hosts && s.kind === kind && !s.valid).length,
      });
    }
  }
  return rows;
}

/** A target of issue 6 and whether the numbers meet it. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  /** Met on every measure. */
  readonly met: boolean;
  /** For speed targets met inside the run but not on wall time: what to say instead of "missed". */
  readonly partly?: string;
}

const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)}x` : "–");

/** The targets against the summary. */
export function verdicts(r: BenchResults, rows: readonly Row[]): Verdict[] {
  const out: Verdict[] = [];
  const row = (hosts: number, kind: RunKind) => rows.find((w) => w.hosts === hosts && w.kind === kind);
  const speed = (hosts: number, kind: RunKind, factor: number, label: string) => {
    const w = row(hosts, kind);
    if (!w || !w.ratioWall.n) return;
    const wall = w.ratioWall.median >= factor;
    const run = w.ratioRun.median >= factor;
    const measured = `${x(w.ratioWall.median)} wall, ${x(w.ratioRun.median)} inside the run`;
    const target = `${label} at ${hosts} host${hosts > 1 ? "s" : ""}: ≥ ${factor}x faster than Ansible`;
    out.push({
      target,
      measured,
      met: wall && run,
      ...(run && !wall ? { partly: "met inside the run; missed on wall time (start-up)" } : {}),
    });
  };
  speed(1, "noop", 10, "No-op run");
  speed(10, "noop", 15, "No-op run");
  for (const hosts of r.config.hostCounts) speed(hosts, "first", 5, "First run");
  if (r.commands.length) {
    const unchanged = Math.max(...r.commands.map((c) => c.noop), ...r.commands.filter((c) => !c.firstChanged).map((c) => c.first));
    const changed = Math.max(0, ...r.commands.filter((c) => c.firstChanged).map((c) => c.first));
    out.push({ target: "≤ 1 remote command per unchanged task", measured: `at most ${unchanged}`, met: unchanged <= 1 });
    out.push({ target: "≤ 2 remote commands per changed task", measured: `at most ${changed}`, met: changed <= 2 });
  }
  for (const w of rows.filter((v) => v.kind === "noop" && v.bosunToFloor.n)) {
    out.push({
      target: `No-op run within 3x of the floor at ${w.hosts} host${w.hosts > 1 ? "s" : ""}`,
      measured: x(w.bosunToFloor.median),
      met: w.bosunToFloor.median <= 3,
    });
  }
  return out;
}
