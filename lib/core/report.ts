/** What a run reports: per-play task results and per-host stats, like Ansible's recap. */
import type { TaskResult } from "./task.js";

/** Counters of one host, as in Ansible's recap. */
export interface HostStats {
  /** Tasks that found nothing to do (changed ones count here too, as in Ansible). */
  ok: number;
  /** Tasks that changed (or would change) the host. */
  changed: number;
  /** 1 when the host could not be reached. */
  unreachable: number;
  /** Tasks that failed (not counting ignored failures). */
  failed: number;
  /** Tasks skipped. */
  skipped: number;
  /** Failures ignored with `ignoreErrors`. */
  ignored: number;
  /** Remote commands run on the host. */
  commands: number;
  /** Wall time the host spent in plays, ms. */
  durationMs: number;
}

/** The results of one play. */
export interface PlayReport {
  /** Play name. */
  readonly name: string;
  /** Hosts the play ran on. */
  readonly hosts: readonly string[];
  /** Where the play is declared, `playbooks/deploy.ts:212`. */
  readonly location?: string;
  /** Every task result, in the order they finished. */
  readonly results: TaskResult[];
}

/** The outcome of a whole run. */
export interface RunReport {
  /** Playbook name. */
  readonly playbook: string;
  /** Whether it ran with --check. */
  readonly check: boolean;
  /** Start time (ISO). */
  readonly startedAt: string;
  /** Wall time, ms. */
  durationMs: number;
  /** Each play's results. */
  readonly plays: PlayReport[];
  /** Per-host counters. */
  readonly stats: Record<string, HostStats>;
  /** Why a host failed or was unreachable (masked, with host, task and location). */
  readonly hostErrors: Record<string, string>;
  /** True when SIGINT stopped the run. */
  interrupted: boolean;
  /** 0 ok, 2 a host failed, 4 a host unreachable (and none failed), 130 interrupted. */
  exitCode: number;
}

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, usage: 1, failed: 2, changed: 3, unreachable: 4, interrupted: 130 } as const;

/** Fresh zeroed counters. */
export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, ignored: 0, commands: 0, durationMs: 0 };
}

/** Count a task result into a host's counters. */
export function countResult(stats: HostStats, result: TaskResult, ignored: boolean): void {
  if (result.skipped) stats.skipped++;
  else if (result.failed) {
    if (ignored) stats.ignored++;
    else stats.failed++;
  } else {
    stats.ok++;
    if (result.changed) stats.changed++;
  }
}

/** The exit code a report deserves. */
export function exitCodeOf(report: RunReport): number {
  if (report.interrupted) return EXIT.interrupted;
  const all = Object.values(report.stats);
  if (all.some((s) => s.failed > 0)) return EXIT.failed;
  if (all.some((s) => s.unreachable > 0)) return EXIT.unreachable;
  return EXIT.ok;
}
