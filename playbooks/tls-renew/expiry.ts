/**
 * Days to expiry per certificate, as a task in the run's output, and the alert text for those
 * below the threshold. The days come from the certbot role's probe, so reporting costs no command.
 */
import { defineTask, unchanged } from "../../lib/core/task.js";
import { any, bool, int, list, params } from "../../lib/core/params.js";
import type { CertificateExpiry } from "../../lib/facts/certificates.js";

/** Parameters for {@link certificateDays}. */
export interface CertificateDaysParams {
  /** Days left per certificate, as the certbot role read them. */
  readonly certificates: readonly CertificateExpiry[];
  /** The alert threshold in days: fewer days left is "below". */
  readonly alertDays: number;
  /** Fail when a certificate is below the threshold (when no alert target is configured). */
  readonly failBelow?: boolean;
}

/** What {@link certificateDays} found. */
export interface CertificateDaysOutput {
  /** Certificates with fewer than `alertDays` days left, or unreadable. */
  readonly below: readonly CertificateExpiry[];
}

/** The certificates below the threshold (an unreadable one counts). */
export function belowThreshold(certificates: readonly CertificateExpiry[], alertDays: number): CertificateExpiry[] {
  return certificates.filter((c) => c.daysLeft === undefined || c.daysLeft < alertDays);
}

/** One line per certificate: `example.org: 61 days left (until 2026-02-20)`. */
export function describeExpiry(c: CertificateExpiry): string {
  if (c.daysLeft === undefined) return `${c.name}: unreadable (${c.error ?? "no expiry"})`;
  const until = c.notAfter ? ` (until ${c.notAfter.slice(0, 10)})` : "";
  return c.daysLeft < 0 ? `${c.name}: EXPIRED ${-c.daysLeft} day(s) ago${until}` : `${c.name}: ${c.daysLeft} day(s) left${until}`;
}

/** The alert message for `host`. */
export function expiryAlertText(host: string, below: readonly CertificateExpiry[], alertDays: number): string {
  return [`[${host}] TLS certificates below ${alertDays} days:`, ...below.map((c) => `- ${describeExpiry(c)}`)].join("\n");
}

/**
 * Report days to expiry per certificate (no remote command: the days are given), and which are
 * below the alert threshold; with `failBelow`, fail when one is.
 * @example certificateDays({ certificates: result.expiry, alertDays: 14 })
 */
export const certificateDays = defineTask<CertificateDaysParams, CertificateDaysOutput>({
  id: "tls.certificateDays",
  description: "Days to expiry per certificate, and those below the alert threshold.",
  title: (p) => `days to expiry (alert below ${p.alertDays})`,
  schema: params({ certificates: list(any), alertDays: int }, { failBelow: bool }),
  async check(host, p) {
    const below = belowThreshold(p.certificates, p.alertDays);
    const all = p.certificates.map(describeExpiry).join("; ") || "no certificates yet";
    if (below.length && p.failBelow) {
      throw host.fail(
        `Certificates below ${p.alertDays} days: ${below.map(describeExpiry).join("; ")}`,
        "renewal is not working: run with -v, or try `certbot renew --dry-run` on the host; set tls_alert_webhook or tls_alert_telegram to be alerted instead",
      );
    }
    return unchanged(all, { below });
  },
});
