/**
 * JUnit XML for CI test report views (GitLab's `artifacts:reports:junit`, GitHub test-report
 * actions): one testsuite per play, one testcase per host and task. Failed tasks and unreachable
 * hosts are failures; a change found under `--check` is a failure when `--fail-on-change` is
 * given, so drift shows as a red test naming host and task. Built from the JSON document, so a
 * run and a merge of shard reports write the same file.
 */
import type { JsonDocument, JsonHostResult, JsonPlay } from "./json-reporter.js";

/** Options of {@link junitXml}. */
export interface JunitOptions {
  /** Count changes under --check as failures (default: the document's `fail_on_change`). */
  readonly failOnChange?: boolean;
  /** The `name` of the root element (default `bosun`). */
  readonly name?: string;
}

/** One testcase before it is written. */
interface Case {
  readonly host: string;
  readonly name: string;
  readonly file?: string;
  readonly seconds: number;
  readonly failure?: { readonly type: string; readonly message: string; readonly body?: string };
  readonly skipped?: string;
  readonly out?: string;
}

/** Escape text for an XML attribute or element; drops characters XML 1.0 cannot hold and ANSI colours. */
export function xmlEscape(text: string): string {
  return text
    .replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const firstLine = (text: string): string => text.split("\n")[0] ?? text;

function taskCase(
  { host, task, r }: { host: string; task: JsonPlay["tasks"][number]["task"]; r: JsonHostResult },
  checkFails: boolean,
): Case {
  const base = { host, name: task.name, seconds: r.duration_ms / 1000, ...(task.path ? { file: task.path } : {}) };
  const where = `[${host}] ${r.action}${task.path ? ` (${task.path})` : ""}`;
  if (r.failed && !r.ignore_errors) {
    const body = [r.msg, r.stderr ? `stderr:\n${r.stderr}` : undefined, r.rc !== undefined ? `rc: ${r.rc}` : undefined];
    return {
      ...base,
      failure: { type: "failed", message: `${where}: ${firstLine(r.msg ?? "failed")}`, body: body.filter(Boolean).join("\n") },
    };
  }
  if (r.skipped) return { ...base, skipped: r.msg ?? "skipped" };
  if (r.changed && checkFails) {
    const message = `${where}: would change${r.msg ? `: ${firstLine(r.msg)}` : ""} (--check --fail-on-change)`;
    return { ...base, failure: { type: "changed", message, ...(r.diff_text ? { body: r.diff_text } : {}) } };
  }
  const out = r.ignore_errors ? `failed (ignored): ${r.msg ?? ""}` : r.changed ? `changed${r.msg ? `: ${r.msg}` : ""}` : r.msg;
  return { ...base, ...(out ? { out } : {}) };
}

/** Host-level testcases: unreachable hosts, and errors outside any failed task (settings, interruption). */
function hostCases(doc: JsonDocument, play: JsonPlay, placed: Set<string>): Case[] {
  const cases: Case[] = [];
  for (const host of play.play.hosts) {
    if (placed.has(host)) continue;
    const error = doc.host_errors[host];
    const unreachable = (doc.stats[host]?.unreachable ?? 0) > 0;
    const failedTask = play.tasks.some((t) => t.hosts[host]?.failed && !t.hosts[host]?.ignore_errors);
    if (!unreachable && (error === undefined || failedTask)) continue;
    placed.add(host);
    const type = unreachable ? "unreachable" : "failed";
    const message = error ?? `[${host}] unreachable`;
    cases.push({
      host,
      name: unreachable ? "reach host" : "host",
      seconds: 0,
      failure: { type, message: firstLine(message), body: message },
    });
  }
  return cases;
}

function caseXml(c: Case): string {
  const attrs = `classname="${xmlEscape(c.host)}" name="${xmlEscape(c.name)}"${c.file ? ` file="${xmlEscape(c.file)}"` : ""} time="${c.seconds.toFixed(3)}"`;
  const inner: string[] = [];
  if (c.failure) {
    const body = c.failure.body ? xmlEscape(c.failure.body) : "";
    inner.push(`      <failure type="${c.failure.type}" message="${xmlEscape(c.failure.message)}">${body}</failure>`);
  }
  if (c.skipped !== undefined) inner.push(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
  if (c.out) inner.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
  return inner.length ? `    <testcase ${attrs}>\n${inner.join("\n")}\n    </testcase>` : `    <testcase ${attrs}/>`;
}

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
  seconds: number;
}

function counts(cases: readonly Case[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.failure).length,
    skipped: cases.filter((c) => c.skipped !== undefined).length,
    seconds: cases.reduce((s, c) => s + c.seconds, 0),
  };
}

const countAttrs = (n: Counts): string =>
  `tests="${n.tests}" failures="${n.failures}" errors="0" skipped="${n.skipped}" time="${n.seconds.toFixed(3)}"`;

/** The JUnit XML document of a run (or of merged shard reports), with a final newline. */
export function junitXml(doc: JsonDocument, options: JunitOptions = {}): string {
  const checkFails = doc.check_mode && (options.failOnChange ?? doc.fail_on_change === true);
  const placed = new Set<string>();
  const suites = doc.plays.map((play) => {
    const cases: Case[] = [];
    // An unreachable host has its own "reach host" case below, not one per task.
    for (const t of play.tasks)
      for (const [host, r] of Object.entries(t.hosts)) if (!r.unreachable) cases.push(taskCase({ host, task: t.task, r }, checkFails));
    cases.push(...hostCases(doc, play, placed));
    return { play, cases };
  });
  const all = counts(suites.flatMap((s) => s.cases));
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xmlEscape(options.name ?? "bosun")}" ${countAttrs(all)}>`];
  for (const { play, cases } of suites) {
    const attrs = `name="${xmlEscape(play.play.name)}" ${countAttrs(counts(cases))} timestamp="${play.play.duration.start.replace(/\.\d+Z$/, "")}"`;
    lines.push(cases.length ? `  <testsuite ${attrs}>` : `  <testsuite ${attrs}/>`);
    if (cases.length) lines.push(...cases.map(caseXml), "  </testsuite>");
  }
  lines.push("</testsuites>");
  return `${lines.join("\n")}\n`;
}
