/**
 * Run every injection case against one lab host with a pool of SSH connections, and summarise:
 * hostile values tried per slot and in total, how each ended, canaries found.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { TaskRunner, type LabTarget } from "../e2e/task-harness.js";
import { fuzzSlot, type InjectionHost, type SlotReport, type TaskCase } from "./injection-harness.js";
import type { AnyTask } from "./injection-slots.js";

/** One unit of work: a slot of a task. */
interface Job {
  readonly task: AnyTask;
  readonly slot: string;
  readonly fuzz: TaskCase["fuzz"][string];
}

/** Every slot of every case; the ones that apply first (they take longest). */
function jobs(tasks: ReadonlyMap<string, AnyTask>, cases: Readonly<Record<string, TaskCase>>): Job[] {
  const out: Job[] = [];
  for (const [id, c] of Object.entries(cases)) {
    const task = tasks.get(id);
    if (task) for (const [slot, fuzz] of Object.entries(c.fuzz)) out.push({ task, slot, fuzz });
  }
  return out.sort((a, b) => Number(!!b.fuzz.apply) - Number(!!a.fuzz.apply));
}

/** Fuzz every slot of every case with `workers` connections to the host; returns one report per slot. */
export async function runAllCases(
  target: LabTarget,
  tasks: ReadonlyMap<string, AnyTask>,
  cases: Readonly<Record<string, TaskCase>>,
  workers: number,
): Promise<SlotReport[]> {
  const queue = jobs(tasks, cases);
  const reports: SlotReport[] = [];
  const runners = Array.from({ length: workers }, () => new TaskRunner(target));
  try {
    await Promise.all(
      runners.map(async (runner) => {
        const host: InjectionHost = { target, runner };
        for (let job = queue.shift(); job; job = queue.shift()) reports.push(await fuzzSlot(host, job.task, job.slot, job.fuzz));
      }),
    );
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  return reports.sort((a, b) => (a.task === b.task ? a.slot.localeCompare(b.slot) : a.task.localeCompare(b.task)));
}

const COUNTS = [
  "tried",
  "rejected",
  "refusedAtQuoting",
  "checkFailed",
  "checked",
  "checkedLiteral",
  "appliedLiteral",
  "appliedUnobserved",
  "applyFailed",
  "canaries",
] as const;

/** Totals over reports. */
export function totals(reports: readonly SlotReport[]): Record<(typeof COUNTS)[number], number> {
  const out = Object.fromEntries(COUNTS.map((k) => [k, 0])) as Record<(typeof COUNTS)[number], number>;
  for (const r of reports) for (const k of COUNTS) out[k] += r[k];
  return out;
}

/** A plain-text table: one line per task, then the totals. */
export function summaryTable(reports: readonly SlotReport[], extra: readonly SlotReport[] = []): string {
  const rows = new Map<string, SlotReport[]>();
  for (const r of [...reports, ...extra]) rows.set(r.task, [...(rows.get(r.task) ?? []), r]);
  const head = ["task", "slots", "tried", "rejected", "quoting", "chk-fail", "checked", "literal", "applied", "app-fail", "canary"];
  const line = (cells: readonly (string | number)[]) =>
    cells.map((c, i) => (i === 0 ? String(c).padEnd(26) : String(c).padStart(8))).join(" ");
  const body = [...rows].map(([task, rs]) => {
    const t = totals(rs);
    return line([
      task,
      rs.length,
      t.tried,
      t.rejected,
      t.refusedAtQuoting,
      t.checkFailed,
      t.checked,
      t.appliedLiteral + t.checkedLiteral,
      t.appliedUnobserved,
      t.applyFailed,
      t.canaries,
    ]);
  });
  const all = totals([...reports, ...extra]);
  const total = line([
    "TOTAL",
    reports.length + extra.length,
    all.tried,
    all.rejected,
    all.refusedAtQuoting,
    all.checkFailed,
    all.checked,
    all.appliedLiteral + all.checkedLiteral,
    all.appliedUnobserved,
    all.applyFailed,
    all.canaries,
  ]);
  return [line(head), ...body, total].join("\n");
}

/** Write the figures for the lead (git-ignored). */
export function writeSummary(file: string, reports: readonly SlotReport[], extra: Record<string, unknown>): void {
  const perSlot = reports.map(({ mismatches, checkModeChanges, ...rest }) => ({
    ...rest,
    mismatches: mismatches.length,
    checkModeChanges: checkModeChanges.length,
  }));
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        file: path.relative(process.cwd(), file),
        tasks: new Set(reports.map((r) => r.task)).size,
        slots: reports.length,
        totals: totals(reports),
        ...extra,
        perSlot,
      },
      null,
      2,
    )}\n`,
  );
}
