/**
 * Merge the JSON documents of shard runs (`--shard i/n`, one per CI job) into the document one
 * run over all hosts would have written: plays side by side, tasks grouped as a run groups them,
 * stats and host errors united, and the exit code a single run would have had.
 */
import { BosunError } from "../core/errors.js";
import { EXIT } from "../core/report.js";
import { exitCodeWithDrift } from "./drift.js";
import type { JsonDocument, JsonPlay, JsonStats, JsonTask } from "./json-reporter.js";

/** One document and where it came from (for error messages). */
export interface SourcedDocument {
  /** File name or label. */
  readonly source: string;
  /** The parsed document. */
  readonly doc: JsonDocument;
}

/** Options of {@link mergeDocuments}. */
export interface MergeOptions {
  /** Count changes under --check as failures even when no document says so. */
  readonly failOnChange?: boolean;
  /** Accept a subset of the shards (e.g. one shard's recap in its own job's log). */
  readonly partial?: boolean;
}

function mergeError(message: string, hint: string): BosunError {
  return new BosunError(`Cannot merge reports: ${message}`, { hint });
}

/** Every shard 1..n exactly once, when the documents were written by shard runs. */
function checkShards(inputs: readonly SourcedDocument[], partial: boolean): void {
  const sharded = inputs.filter((i) => i.doc.shard);
  if (sharded.length === 0) return;
  if (sharded.length !== inputs.length) {
    const plain = inputs.find((i) => !i.doc.shard)?.source;
    throw mergeError(`${plain} was written without --shard, the others with it`, "Merge the reports of one sharded run only.");
  }
  const total = sharded[0]?.doc.shard?.total ?? 0;
  const seen = new Map<number, string>();
  for (const { source, doc } of sharded) {
    const s = doc.shard as { index: number; total: number };
    if (s.total !== total)
      throw mergeError(`${source} is shard ${s.index}/${s.total}, another is of ${total}`, "Merge reports of one run.");
    const twice = seen.get(s.index);
    if (twice) throw mergeError(`${twice} and ${source} are both shard ${s.index}/${total}`, "Merge each shard's report once.");
    seen.set(s.index, source);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length && !partial)
    throw mergeError(
      `shard ${missing.map((i) => `${i}/${total}`).join(", ")} missing`,
      "A shard job that did not write its report (it failed before the run, or its artifact was not kept) must be rerun; merging without it would hide its hosts.",
    );
}

const taskKey = (t: JsonTask): string => `${t.task.path ?? ""}\u0000${t.task.name}`;
const minIso = (a: string, b: string): string => (a < b ? a : b);
const maxIso = (a: string, b: string): string => (a > b ? a : b);

/** Tasks grouped as a run groups them: by place and title, in order of first appearance, a host seen twice starting a new entry. */
function mergeTasks(lists: readonly (readonly JsonTask[])[], playId: string): JsonTask[] {
  const merged: JsonTask[] = [];
  for (const tasks of lists) {
    for (const t of tasks) {
      const hosts = Object.keys(t.hosts);
      const slot = merged.find((m) => taskKey(m) === taskKey(t) && !hosts.some((h) => h in m.hosts));
      if (!slot) {
        merged.push({ task: { ...t.task, duration: { ...t.task.duration } }, hosts: { ...t.hosts } });
        continue;
      }
      Object.assign(slot.hosts, t.hosts);
      const d = slot.task.duration;
      (slot as { task: JsonTask["task"] }).task = {
        ...slot.task,
        duration: { start: minIso(d.start, t.task.duration.start), end: maxIso(d.end, t.task.duration.end) },
      };
    }
  }
  let n = 0;
  return merged.map((m) => ({
    ...m,
    task: { ...m.task, id: m.task.id.endsWith("-connect") ? `${playId}-connect` : `${playId}-task-${++n}` },
  }));
}

function mergePlays(inputs: readonly SourcedDocument[]): JsonPlay[] {
  const count = Math.max(0, ...inputs.map((i) => i.doc.plays.length));
  const plays: JsonPlay[] = [];
  for (let p = 0; p < count; p++) {
    const present = inputs.filter((i) => i.doc.plays[p]);
    const first = present[0]?.doc.plays[p] as JsonPlay;
    for (const { source, doc } of present) {
      const name = (doc.plays[p] as JsonPlay).play.name;
      if (name !== first.play.name)
        throw mergeError(
          `play ${p + 1} is "${name}" in ${source} but "${first.play.name}" in ${present[0]?.source}`,
          "Merge the reports of one playbook.",
        );
    }
    const id = `play-${p + 1}`;
    const own = present.map((i) => i.doc.plays[p] as JsonPlay);
    plays.push({
      play: {
        name: first.play.name,
        id,
        hosts: own.flatMap((o) => o.play.hosts),
        duration: {
          start: own.map((o) => o.play.duration.start).reduce(minIso),
          end: own.map((o) => o.play.duration.end).reduce(maxIso),
        },
      },
      tasks: mergeTasks(
        own.map((o) => o.tasks),
        id,
      ),
    });
  }
  return plays;
}

function mergeStats(inputs: readonly SourcedDocument[]): Record<string, JsonStats> {
  const stats: Record<string, JsonStats> = {};
  const from: Record<string, string> = {};
  for (const { source, doc } of inputs) {
    for (const [host, s] of Object.entries(doc.stats)) {
      if (from[host])
        throw mergeError(
          `host ${host} ran in both ${from[host]} and ${source}`,
          "Shards of one run never share a host: were the jobs given different inventories, or one report twice?",
        );
      from[host] = source;
      stats[host] = { ...s };
    }
  }
  return stats;
}

/** The exit code a single run with these results would have returned. */
export function exitCodeOfDocument(doc: Pick<JsonDocument, "stats" | "interrupted" | "check_mode" | "fail_on_change">): number {
  const all = Object.values(doc.stats);
  const plain = doc.interrupted
    ? EXIT.interrupted
    : all.some((s) => s.failures > 0)
      ? EXIT.failed
      : all.some((s) => s.unreachable > 0)
        ? EXIT.unreachable
        : EXIT.ok;
  const changed = all.reduce((n, s) => n + s.changed, 0);
  return exitCodeWithDrift({ exitCode: plain, check: doc.check_mode, failOnChange: doc.fail_on_change === true, changed });
}

/** Merge shard documents into one; throws a BosunError when they do not belong to one run. */
export function mergeDocuments(inputs: readonly SourcedDocument[], options: MergeOptions = {}): JsonDocument {
  if (inputs.length === 0) throw mergeError("no reports given", "Pass the --json reports of the shard jobs.");
  checkShards(inputs, options.partial === true);
  const check = inputs[0]?.doc.check_mode ?? false;
  const odd = inputs.find((i) => i.doc.check_mode !== check);
  if (odd)
    throw mergeError(
      `${odd.source} ${odd.doc.check_mode ? "ran" : "did not run"} with --check, ${inputs[0]?.source} did${check ? "" : " not"}`,
      "Merge the reports of one run.",
    );
  const failOnChange = options.failOnChange === true || inputs.some((i) => i.doc.fail_on_change);
  const interrupted = inputs.some((i) => i.doc.interrupted);
  const stats = mergeStats(inputs);
  const head = {
    plays: mergePlays(inputs),
    stats,
    host_errors: Object.assign({}, ...inputs.map((i) => i.doc.host_errors)) as Record<string, string>,
    custom_stats: {},
    global_custom_stats: {},
    ...(interrupted ? { interrupted: true as const } : {}),
    check_mode: check,
    ...(failOnChange ? { fail_on_change: true as const } : {}),
  };
  return {
    ...head,
    duration: {
      start: inputs.map((i) => i.doc.duration.start).reduce(minIso),
      end: inputs.map((i) => i.doc.duration.end).reduce(maxIso),
    },
    exit_code: exitCodeOfDocument(head),
  };
}
