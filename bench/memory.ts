/**
 * Controller memory of a running tool: every few hundred ms, the sum of PSS (and RSS) over its
 * process tree, plus processes that left the tree but belong to the run (Ansible's ssh
 * ControlMaster processes daemonise; they are found by their ControlPath in the command line).
 */
import { readdirSync, readFileSync } from "node:fs";

/** Peak memory seen by a {@link TreeSampler}. */
export interface MemoryPeak {
  /** Highest sum of PSS over the processes (shared pages split between them), KiB. */
  readonly pssKb: number;
  /** Highest sum of RSS (shared pages counted in every process), KiB. */
  readonly rssKb: number;
  /** Most processes seen at once. */
  readonly processes: number;
  /** Samples taken. */
  readonly samples: number;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[1]);
}

function rollup(pid: number): { pss: number; rss: number } | undefined {
  const text = read(`/proc/${pid}/smaps_rollup`);
  if (!text) return undefined;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { pss: field("Pss"), rss: field("Rss") };
}

/** The pids of `root`'s tree, and of processes whose command line contains `marker`. */
function processesOf(root: number, marker: string | undefined): number[] {
  const pids = readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const children = new Map<number, number[]>();
  const marked: number[] = [];
  for (const pid of pids) {
    const ppid = parentOf(pid);
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    if (marker && read(`/proc/${pid}/cmdline`)?.includes(marker)) marked.push(pid);
  }
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift() as number) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      queue.push(c);
    }
  }
  for (const pid of marked) seen.add(pid);
  return [...seen];
}

/** Samples a process tree until stopped. */
export class TreeSampler {
  #peak = { pssKb: 0, rssKb: 0, processes: 0, samples: 0 };
  readonly #timer: NodeJS.Timeout;

  /** Start sampling the tree of `root` (and processes whose command line holds `marker`) every `intervalMs`. */
  constructor(root: number, marker?: string, intervalMs = 200) {
    this.#timer = setInterval(() => this.#sample(root, marker), intervalMs);
  }

  #sample(root: number, marker: string | undefined): void {
    let pss = 0;
    let rss = 0;
    const pids = processesOf(root, marker);
    for (const pid of pids) {
      const m = rollup(pid);
      pss += m?.pss ?? 0;
      rss += m?.rss ?? 0;
    }
    const p = this.#peak;
    this.#peak = {
      pssKb: Math.max(p.pssKb, pss),
      rssKb: Math.max(p.rssKb, rss),
      processes: Math.max(p.processes, pids.length),
      samples: p.samples + 1,
    };
  }

  /** Stop and return the peak. */
  stop(): MemoryPeak {
    clearInterval(this.#timer);
    return this.#peak;
  }
}
