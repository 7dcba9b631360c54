/**
 * The expiry timer's last run, as the host recorded it: the script's own record
 * (/var/lib/bosun/tls-watch/last-result: time, status, summary) and systemd's result of the
 * service. Read-only; reported by the next tls-renew run.
 */
import { sh } from "../../lib/core/command.js";
import { defineTask, unchanged } from "../../lib/core/task.js";
import { nonEmpty, params } from "../../lib/core/params.js";

/** Where the check script records its outcome. */
export const TLS_WATCH_STATE = "/var/lib/bosun/tls-watch/last-result";

/** The last run of the expiry timer. */
export interface TlsWatchLastResult {
  /** False when the timer has not run yet (or is not installed). */
  readonly ran: boolean;
  /** When it ran (ISO 8601, UTC). */
  readonly time?: string;
  /** ok, alerted, alert-failed or below-no-channel. */
  readonly status?: string;
  /** systemd's result of the service: success, exit-code ... */
  readonly systemdResult?: string;
  /** One line for the run's output. */
  readonly summary: string;
}

/** Parse the record and `systemctl show -p Result -p ExecMainStatus` output into {@link TlsWatchLastResult}. */
export function parseLastResult(stdout: string): TlsWatchLastResult {
  const fields = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0 && !fields.has(line.slice(0, eq))) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const time = fields.get("time");
  const status = fields.get("status");
  const systemdResult = fields.get("Result") || undefined;
  if (!time || !status) return { ran: false, ...(systemdResult ? { systemdResult } : {}), summary: "the expiry timer has not run yet" };
  const failed = systemdResult !== undefined && systemdResult !== "success" ? ` (systemd: ${systemdResult})` : "";
  return {
    ran: true,
    time,
    status,
    ...(systemdResult ? { systemdResult } : {}),
    summary: `last expiry check ${time}: ${status}${failed}: ${fields.get("summary") ?? ""}`,
  };
}

/**
 * Report the expiry timer's last result (no change; also in check mode).
 * @example const last = (await host.run(tlsWatchLastResult({ unit: "bosun-tls-expiry" }))).output
 */
export const tlsWatchLastResult = defineTask<{ unit: string }, TlsWatchLastResult>({
  id: "tls.watchLastResult",
  description: "The expiry timer's last result on the host (its record and systemd's result), for the run's output.",
  title: () => "expiry timer's last result",
  schema: params({ unit: nonEmpty }),
  async check(host, p) {
    const r = await host.exec(
      sh`cat -- ${TLS_WATCH_STATE} 2>/dev/null; systemctl show -p Result -- ${`${p.unit}.service`} 2>/dev/null; true`,
    );
    const last = parseLastResult(r.stdout);
    return unchanged(last.summary, last);
  },
});
