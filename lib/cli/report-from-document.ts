/** A run report rebuilt from its JSON document, so that a saved or merged document prints the recap a run prints. */
import type { HostStats, RunReport } from "../core/report.js";
import type { TaskResult } from "../core/task.js";
import type { DiffEntry } from "../core/diff.js";
import type { JsonDocument, JsonHostResult } from "./json-reporter.js";

function statsOf(s: JsonDocument["stats"][string]): HostStats {
  return {
    ok: s.ok,
    changed: s.changed,
    unreachable: s.unreachable,
    failed: s.failures,
    skipped: s.skipped,
    ignored: s.ignored,
    commands: s.commands,
    durationMs: s.duration_ms,
  };
}

function resultOf(host: string, task: { name: string; path?: string }, r: JsonHostResult): TaskResult {
  return {
    host,
    task: r.action,
    title: task.name,
    status: r.failed ? "failed" : r.skipped ? "skipped" : r.changed ? "changed" : "ok",
    changed: r.changed,
    failed: r.failed,
    skipped: r.skipped,
    ...(r.msg !== undefined ? { message: r.msg } : {}),
    ...(r.diff_text !== undefined ? { diff: r.diff_text } : {}),
    ...(r.diff !== undefined ? { diffs: Array.isArray(r.diff) ? (r.diff as readonly DiffEntry[]) : [r.diff as DiffEntry] } : {}),
    ...(r.stdout !== undefined ? { stdout: r.stdout } : {}),
    ...(r.stderr !== undefined ? { stderr: r.stderr } : {}),
    ...(r.rc !== undefined ? { rc: r.rc } : {}),
    ...(r.ignore_errors ? { ignored: true } : {}),
    ...(task.path !== undefined ? { location: task.path } : {}),
    durationMs: r.duration_ms,
    commands: r.commands,
    attempts: r.attempts,
  };
}

/** The {@link RunReport} a JSON document was written from (playbook name unknown: `playbook` names the first play). */
export function reportFromDocument(doc: JsonDocument): RunReport {
  const start = Date.parse(doc.duration.start);
  return {
    playbook: doc.plays[0]?.play.name ?? "",
    check: doc.check_mode,
    startedAt: doc.duration.start,
    durationMs: Math.max(0, Date.parse(doc.duration.end) - start),
    plays: doc.plays.map((p) => ({
      name: p.play.name,
      hosts: [...p.play.hosts],
      results: p.tasks.flatMap((t) =>
        Object.entries(t.hosts)
          .filter(([, r]) => !r.unreachable)
          .map(([host, r]) => resultOf(host, t.task, r)),
      ),
    })),
    stats: Object.fromEntries(Object.entries(doc.stats).map(([h, s]) => [h, statsOf(s)])),
    hostErrors: { ...doc.host_errors },
    interrupted: doc.interrupted === true,
    exitCode: doc.exit_code,
  };
}
