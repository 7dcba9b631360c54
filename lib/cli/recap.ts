/** The Ansible-style recap printed at the end of a run: one line per host, then the host errors. */
import type { HostStats, RunReport } from "../core/report.js";
import { mask } from "../core/secrets.js";
import { palette } from "./color.js";
import { formatDuration, indentAll } from "./output.js";

/** Options of {@link formatRecap}. */
export interface RecapOptions {
  /** Count of `-v`: from 1 on, the recap shows the remote commands per host. */
  readonly verbosity?: number;
  /** Use ANSI colours. */
  readonly color?: boolean;
}

const COUNTERS = ["ok", "changed", "unreachable", "failed", "skipped", "ignored"] as const;

/**
 * The recap text (ends with a newline), e.g.
 * `cfa2 : ok=5 changed=2 unreachable=0 failed=0 skipped=1 ignored=0  3.2s`.
 */
export function formatRecap(report: RunReport, options: RecapOptions = {}): string {
  const c = palette(!!options.color);
  const verbose = (options.verbosity ?? 0) > 0;
  const hosts = Object.keys(report.stats).sort();
  const width = Math.max(0, ...hosts.map((h) => h.length));
  const paintHost = (h: string, s: HostStats): string =>
    s.failed || s.unreachable ? c.red(h) : report.hostErrors[h] ? c.magenta(h) : s.changed ? c.yellow(h) : c.green(h);
  const paintCount = (name: (typeof COUNTERS)[number], n: number): string => {
    const text = `${name}=${n}`.padEnd(name.length + 5);
    if (n === 0 || name === "ok") return name === "ok" && n > 0 ? c.green(text) : text;
    return { changed: c.yellow, unreachable: c.red, failed: c.red, skipped: c.cyan, ignored: c.cyan }[name](text);
  };
  const lines = ["", c.bold(`PLAY RECAP ${"*".repeat(61)}`)];
  if (hosts.length === 0) lines.push(c.dim("no hosts ran"));
  for (const h of hosts) {
    const s = report.stats[h] as HostStats;
    const counts = COUNTERS.map((name) => paintCount(name, s[name])).join("");
    const commands = verbose ? `commands=${s.commands}`.padEnd(14) : "";
    lines.push(`${paintHost(h, s)}${" ".repeat(width - h.length)} : ${counts}${commands}${c.dim(formatDuration(s.durationMs))}`.trimEnd());
  }
  const isInterruption = (message: string): boolean => /^(\[[^\]]*\] )?interrupted$/.test(message);
  const errors = Object.entries(report.hostErrors).filter(([, message]) => !isInterruption(message));
  const cut = Object.entries(report.hostErrors)
    .filter(([, message]) => isInterruption(message))
    .map(([host]) => host)
    .sort();
  if (errors.length) {
    lines.push("");
    for (const [host, message] of errors) {
      const unreachable = (report.stats[host]?.unreachable ?? 0) > 0;
      lines.push(c.red(`${host} ${unreachable ? "unreachable" : "failed"}:`), indentAll(message, "  "));
    }
  }
  lines.push("");
  const total = `${hosts.length} host${hosts.length === 1 ? "" : "s"} in ${formatDuration(report.durationMs)}`;
  const check = report.check ? "; check mode: nothing was changed" : "";
  if (report.interrupted) {
    const stopped = cut.length ? `; stopped early: ${cut.join(", ")}` : "";
    lines.push(c.magenta(`interrupted: the run stopped after the running tasks finished${stopped} (${total}, exit ${report.exitCode})`));
  } else lines.push(c.dim(`${total}${check}`));
  return mask(`${lines.join("\n")}\n`);
}
