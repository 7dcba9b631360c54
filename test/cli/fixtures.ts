/** Synthetic task results, reports and a capturing sink for CLI tests. */
import type { RunReport, HostStats } from "../../lib/core/report.js";
import type { TaskResult } from "../../lib/core/task.js";
import type { TextSink } from "../../lib/cli/output.js";

/** A sink that keeps what was written. */
export class Capture implements TextSink {
  chunks: string[] = [];
  constructor(readonly isTTY = false) {}
  write(text: string): boolean {
    this.chunks.push(text);
    return true;
  }
  get text(): string {
    return this.chunks.join("");
  }
  get lines(): string[] {
    return this.text.split("\n");
  }
}

/** A task result with sensible defaults. */
export function result(host: string, title: string, over: Partial<TaskResult> = {}): TaskResult {
  const status = over.status ?? (over.failed ? "failed" : over.skipped ? "skipped" : over.changed ? "changed" : "ok");
  return {
    host,
    task: "files.ensureDir",
    title,
    status,
    changed: status === "changed",
    failed: status === "failed",
    skipped: status === "skipped",
    durationMs: 12,
    commands: 1,
    attempts: 1,
    location: "playbooks/site.ts:10",
    ...over,
  };
}

/** Stats with zero defaults. */
export function stats(over: Partial<HostStats> = {}): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, ignored: 0, commands: 0, durationMs: 0, ...over };
}

/** A two-host report: web1 changed a file, web2 failed. */
export function sampleReport(over: Partial<RunReport> = {}): RunReport {
  const results = [
    result("web1", "directory /srv/app", { status: "changed", diff: "--- before\n+++ after\n@@ -1 +1 @@\n-a\n+b\n", rc: 0, stdout: "" }),
    result("web2", "directory /srv/app", { status: "failed", message: 'Cannot ensure directory "/srv/app": path is a file' }),
    result("web1", "config /etc/app.conf", { task: "files.templateFile", location: "playbooks/site.ts:11", commands: 1 }),
  ];
  return {
    playbook: "site",
    check: false,
    startedAt: "2025-01-02T03:04:05.000Z",
    durationMs: 3210,
    plays: [{ name: "site", hosts: ["web1", "web2"], results }],
    stats: {
      web1: stats({ ok: 2, changed: 1, commands: 3, durationMs: 2100 }),
      web2: stats({ failed: 1, commands: 1, durationMs: 400 }),
    },
    hostErrors: { web2: '[web2] files.ensureDir (playbooks/site.ts:10): Cannot ensure directory "/srv/app": path is a file' },
    interrupted: false,
    exitCode: 2,
    ...over,
  };
}
