/**
 * One JSON document per run, shaped like Ansible's `json` stdout callback so that tools reading
 * `plays[].tasks[].hosts.<host>` and `stats.<host>` read bosun's output too.
 */
import type { RunEvents } from "../core/events.js";
import type { RunReport } from "../core/report.js";
import { maskDeep } from "../core/secrets.js";
import type { TaskResult } from "../core/task.js";
import type { DiffEntry } from "../core/diff.js";
import { SKIPPED_BY_TAGS } from "../run/host.js";

/** Start and end, ISO 8601. */
export interface JsonDuration {
  readonly start: string;
  readonly end: string;
}

/** One host's result of one task, as in Ansible's json callback plus bosun's counters. */
export interface JsonHostResult {
  readonly changed: boolean;
  readonly failed: boolean;
  readonly skipped: boolean;
  /** Present (true) when the host could not be reached (under the play's `connect` task). */
  readonly unreachable?: true;
  readonly msg?: string;
  /** With --diff: `{before, after, before_header, after_header}`, or a list of them when a task changed several things. */
  readonly diff?: DiffEntry | readonly DiffEntry[];
  /** The same changes as one unified diff (bosun's addition). */
  readonly diff_text?: string;
  /** Standard output of the last command, trailing newline removed (as Ansible's command module). */
  readonly stdout?: string;
  /** `stdout` split into lines. */
  readonly stdout_lines?: readonly string[];
  readonly stderr?: string;
  readonly stderr_lines?: readonly string[];
  readonly rc?: number | null;
  /** A failure let pass by `ignoreErrors`. */
  readonly ignore_errors?: boolean;
  /** Task id, e.g. `files.ensureDir` (Ansible's module name). */
  readonly action: string;
  /** Remote commands the task ran. */
  readonly commands: number;
  readonly duration_ms: number;
  readonly attempts: number;
}

/** One task (results grouped by playbook location and title) and its per-host results. */
export interface JsonTask {
  readonly task: { readonly name: string; readonly id: string; readonly path?: string; readonly duration: JsonDuration };
  readonly hosts: Record<string, JsonHostResult>;
}

/** One play. */
export interface JsonPlay {
  readonly play: {
    readonly name: string;
    readonly id: string;
    readonly hosts: readonly string[];
    /** Where the play is declared, `playbooks/deploy.ts:212`. */
    readonly path?: string;
    readonly duration: JsonDuration;
  };
  readonly tasks: JsonTask[];
}

/** Per-host counters, with Ansible's key names (`failures`, `rescued`). */
export interface JsonStats {
  readonly ok: number;
  readonly changed: number;
  readonly failures: number;
  readonly unreachable: number;
  readonly skipped: number;
  readonly ignored: number;
  readonly rescued: number;
  readonly commands: number;
  readonly duration_ms: number;
}

/** The whole document. */
export interface JsonDocument {
  readonly plays: JsonPlay[];
  readonly stats: Record<string, JsonStats>;
  /** Why a host failed or was unreachable (bosun's addition; Ansible has no run-level errors). */
  readonly host_errors: Record<string, string>;
  readonly custom_stats: Record<string, never>;
  readonly global_custom_stats: Record<string, never>;
  /** Present (true) when SIGINT stopped the run. */
  readonly interrupted?: true;
  readonly check_mode: boolean;
  /** Present (true) when the run counted changes under --check as failures (`--fail-on-change`). */
  readonly fail_on_change?: true;
  /** The shard this run covered (`--shard i/n`); merge-reports checks that every shard is there once. */
  readonly shard?: { readonly index: number; readonly total: number };
  readonly duration: JsonDuration;
  readonly exit_code: number;
}

/** When plays ran and tasks ended, recorded from events; the report alone has durations only. */
export interface JsonTimings {
  /** Start and end (epoch ms) of each play, in report order. */
  readonly plays: readonly { start: number; end?: number }[];
  /** When each result ended (epoch ms), by result object. */
  readonly ended: ReadonlyMap<TaskResult, number>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The task whose results always carry stdout/stderr, as Ansible's command module's do. */
const COMMAND_TASK = "command.run";

/** Output as Ansible's command module returns it: trailing newlines removed, and split into lines. */
function outputLines(name: "stdout" | "stderr", text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  const trimmed = text.replace(/[\r\n]+$/, "");
  return { [name]: trimmed, [`${name}_lines`]: trimmed === "" ? [] : trimmed.split(/\r?\n/) };
}

function hostResult(r: TaskResult): JsonHostResult {
  const diffs = r.diffs ?? [];
  return {
    changed: r.changed,
    failed: r.failed,
    skipped: r.skipped,
    ...(r.message !== undefined ? { msg: r.message } : {}),
    ...(diffs.length ? { diff: diffs.length === 1 ? diffs[0]! : diffs } : {}),
    ...(r.diff !== undefined ? { diff_text: r.diff } : {}),
    // Ansible's command module always returns its output; other modules return none, so empty output of other tasks is left out.
    ...outputLines("stdout", r.stdout === "" && r.task !== COMMAND_TASK ? undefined : r.stdout),
    ...outputLines("stderr", r.stderr === "" && r.task !== COMMAND_TASK ? undefined : r.stderr),
    ...(r.rc !== undefined ? { rc: r.rc } : {}),
    ...(r.ignored ? { ignore_errors: true } : {}),
    action: r.task,
    commands: r.commands,
    duration_ms: r.durationMs,
    attempts: r.attempts,
  };
}

/** Group results into tasks by (location, title) in order of first appearance; a host seen twice starts a new entry. */
/** Where a play's tasks sit: its id, when it started, and when each result ended (when known). */
interface PlayClock {
  readonly playId: string;
  readonly playStart: number;
  readonly timings?: JsonTimings | undefined;
}

function groupTasks(results: readonly TaskResult[], { playId, playStart, timings }: PlayClock): JsonTask[] {
  const tasks: { key: string; start: number; end: number; entry: JsonTask }[] = [];
  for (const r of results) {
    if (r.skipped && r.message === SKIPPED_BY_TAGS) continue; // Ansible lists no task that tags left out
    const key = `${r.location ?? ""}\u0000${r.title}`;
    const end = timings?.ended.get(r) ?? playStart + r.durationMs;
    const start = end - r.durationMs;
    let slot = tasks.find((t) => t.key === key && !(r.host in t.entry.hosts));
    if (!slot) {
      const id = `${playId}-task-${tasks.length + 1}`;
      slot = {
        key,
        start,
        end,
        entry: { task: { name: r.title, id, ...(r.location ? { path: r.location } : {}), duration: { start: "", end: "" } }, hosts: {} },
      };
      tasks.push(slot);
    }
    slot.start = Math.min(slot.start, start);
    slot.end = Math.max(slot.end, end);
    slot.entry.hosts[r.host] = hostResult(r);
  }
  return tasks.map((t) => ({ ...t.entry, task: { ...t.entry.task, duration: { start: iso(t.start), end: iso(t.end) } } }));
}

/**
 * Hosts of the play that could not be reached, as Ansible shows them: `{unreachable: true, msg}`
 * under the task where it happened; in bosun that is connecting, before the play's first task.
 */
function unreachableTask(report: RunReport, play: RunReport["plays"][number], { playId, playStart: start }: PlayClock): JsonTask[] {
  const hosts: Record<string, JsonHostResult> = {};
  for (const host of play.hosts) {
    if (!report.stats[host]?.unreachable || play.results.some((r) => r.host === host)) continue;
    const msg = report.hostErrors[host] ?? "unreachable";
    hosts[host] = {
      changed: false,
      failed: false,
      skipped: false,
      unreachable: true,
      msg,
      action: "bosun.connect",
      commands: 0,
      duration_ms: 0,
      attempts: 1,
    };
  }
  if (Object.keys(hosts).length === 0) return [];
  return [{ task: { name: "connect", id: `${playId}-connect`, duration: { start: iso(start), end: iso(start) } }, hosts }];
}

/** Build the JSON document of a run (masked). `timings` come from {@link JsonReporter}; without them times are estimated. */
export function jsonDocument(report: RunReport, timings?: JsonTimings): JsonDocument {
  const runStart = Date.parse(report.startedAt);
  const plays = report.plays.map((p, i): JsonPlay => {
    const id = `play-${i + 1}`;
    const t = timings?.plays[i];
    const start = t?.start ?? runStart;
    const end = t?.end ?? runStart + report.durationMs;
    return {
      play: {
        name: p.name,
        id,
        hosts: p.hosts,
        ...(p.location ? { path: p.location } : {}),
        duration: { start: iso(start), end: iso(end) },
      },
      tasks: [
        ...unreachableTask(report, p, { playId: id, playStart: start }),
        ...groupTasks(p.results, { playId: id, playStart: start, timings }),
      ],
    };
  });
  const stats: Record<string, JsonStats> = {};
  for (const [host, s] of Object.entries(report.stats)) {
    stats[host] = {
      ok: s.ok,
      changed: s.changed,
      failures: s.failed,
      unreachable: s.unreachable,
      skipped: s.skipped,
      ignored: s.ignored,
      rescued: 0,
      commands: s.commands,
      duration_ms: s.durationMs,
    };
  }
  return maskDeep({
    plays,
    stats,
    host_errors: { ...report.hostErrors },
    custom_stats: {},
    global_custom_stats: {},
    ...(report.interrupted ? { interrupted: true as const } : {}),
    check_mode: report.check,
    duration: { start: iso(runStart), end: iso(runStart + report.durationMs) },
    exit_code: report.exitCode,
  });
}

/** What a run adds to its document beyond the report: how its CI job was set up. */
export interface JsonReporterOptions {
  /** `--fail-on-change` was given. */
  readonly failOnChange?: boolean;
  /** `--shard i/n` was given. */
  readonly shard?: { readonly index: number; readonly total: number };
}

/** Records play and task timings from a run's events, then renders {@link jsonDocument}. */
export class JsonReporter {
  readonly #plays: { start: number; end?: number }[] = [];
  readonly #ended = new Map<TaskResult, number>();
  readonly #options: JsonReporterOptions;

  constructor(options: JsonReporterOptions = {}) {
    this.#options = options;
  }

  /** Subscribe to a run's events. */
  attach(events: RunEvents): this {
    events.on("playStart", () => this.#plays.push({ start: Date.now() }));
    events.on("playEnd", () => {
      const last = this.#plays[this.#plays.length - 1];
      if (last) last.end = Date.now();
    });
    events.on("taskEnd", ({ result }) => this.#ended.set(result, Date.now()));
    return this;
  }

  /** The document for the finished run. */
  document(report: RunReport): JsonDocument {
    const doc = jsonDocument(report, { plays: this.#plays, ended: this.#ended });
    const { failOnChange, shard } = this.#options;
    if (!failOnChange && !shard) return doc;
    const { duration, exit_code, ...head } = doc;
    return {
      ...head,
      ...(failOnChange ? { fail_on_change: true as const } : {}),
      ...(shard ? { shard: { ...shard } } : {}),
      duration,
      exit_code,
    };
  }

  /** The document as text, with a final newline. */
  format(report: RunReport): string {
    return `${JSON.stringify(this.document(report), null, 2)}\n`;
  }
}
