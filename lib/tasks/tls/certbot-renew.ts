/** certbotRenew: certbot renews the certificates that are due (or all, forced; or a dry run). */
import { defineTask, changed, unchanged, needing } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, matching, str, nonEmpty, bool, record, type Static } from "../../core/params.js";
import type { ExecResult } from "../../core/connection.js";
import { certbotState, type CertbotLineage } from "../../facts/certificates.js";
import { certNameProblem, envPrefix, envProblem, hookArgs } from "./certbot-args.js";

/** What {@link certbotRenew} found due (or forced) before it ran. */
export interface CertbotRenewOutput {
  /** Lineages renewed (or, in a dry run, tried). */
  readonly lineages: readonly string[];
}

const DAY = 86_400;

/** Whether certbot's own rule (`renew_before_expiry`) says the lineage is due. */
export function isDue(l: CertbotLineage): boolean {
  return l.secondsLeft === undefined || l.secondsLeft < l.renewBeforeDays * DAY;
}

/** Parameters for {@link certbotRenew}. */
export const certbotRenewParams = taskParams({
  certName: optional(nonEmpty, "Renew only this lineage (default: every lineage)."),
  deployHook: optional(
    nonEmpty,
    "Command run after each renewed certificate, e.g. `systemctl reload nginx`; certbot keeps it for later renewals.",
  ),
  preHook: optional(nonEmpty, "Command run before renewing anything."),
  postHook: optional(nonEmpty, "Command run after renewing."),
  dryRun: optional(bool, "`--dry-run`: prove renewal works against the CA without saving anything (reports ok when it succeeds)."),
  server: optional(
    matching("^https?://"),
    "ACME directory URL (`--server`); needed for a dry run against a CA other than Let's Encrypt, which certbot would swap for LE staging.",
  ),
  force: optional(bool, "`--force-renewal`: renew even certificates that are not due."),
  env: optional(
    record(str),
    'Extra environment for certbot, e.g. `{ REQUESTS_CA_BUNDLE: "/etc/ssl/lab-acme-ca.pem" }` (visible in ps: no secrets).',
  ),
});
/** Parameters for {@link certbotRenew}. */
export type CertbotRenewParams = Static<typeof certbotRenewParams>;

/**
 * Run `certbot renew --no-random-sleep-on-renew` (never the up-to-8-minute sleep of unattended
 * runs) when a certificate is due by certbot's own window, or always with `force` or `dryRun`.
 * Unchanged, in one command, while nothing is due. A dry run changes nothing and reports ok.
 * @example certbotRenew({ deployHook: "systemctl reload nginx" })
 * @example certbotRenew({ dryRun: true, server: "https://acme.lab.test:14000/dir" })
 */
export const certbotRenew = defineTask<CertbotRenewParams, CertbotRenewOutput>({
  id: "tls.certbotRenew",
  description: "certbot renews the certificates that are due (--no-random-sleep-on-renew), forced, or as a dry run.",
  title: (p) => `certbot renew${p.certName ? ` ${p.certName}` : ""}${p.dryRun ? " (dry run)" : ""}${p.force ? " (forced)" : ""}`,
  schema: certbotRenewParams,
  validate: (p) =>
    certNameProblem(p.certName) ??
    envProblem(p.env) ??
    (p.dryRun && p.force ? `parameters "dryRun" and "force" cannot be combined` : undefined),
  async check(host, p) {
    let st;
    try {
      st = await host.fact(certbotState, { name: p.certName });
    } catch (error) {
      throw host.fail(
        `Cannot renew certificates: ${(error as Error).message}`,
        "run the task with sudo: true (/etc/letsencrypt is root's)",
      );
    }
    if (!st.installed) {
      const missing = "certbot is not installed";
      const hint = 'install it first, e.g. apt({ names: "certbot" }) or the certbot role';
      return needing(unchanged("nothing to renew", { lineages: [] }), [{ doing: "Cannot renew certificates", missing, hint }]);
    }
    if (p.certName && !st.lineages.length)
      throw host.fail(
        `Cannot renew certificate "${p.certName}": there is no such lineage in /etc/letsencrypt/renewal`,
        "issue it first with certbotIssue",
      );
    const due = p.force || p.dryRun ? st.lineages : st.lineages.filter(isDue);
    const left = st.lineages.map((l) => `${l.name}: ${l.daysLeft ?? "?"} days left`).join(", ");
    if (!due.length)
      return unchanged(st.lineages.length ? `no certificate due for renewal (${left})` : "no certificates", { lineages: [] });
    const args = [
      "renew",
      "--non-interactive",
      "--no-random-sleep-on-renew",
      ...(p.certName ? ["--cert-name", p.certName] : []),
      ...(p.dryRun ? ["--dry-run"] : []),
      ...(p.force ? ["--force-renewal"] : []),
      ...(p.server ? ["--server", p.server] : []),
      ...hookArgs(p),
    ];
    const lineages = due.map((l) => l.name);
    return changed([sh`${envPrefix(p.env)}certbot ${args}`], {
      message: `${p.dryRun ? "dry run of renewal for" : "renew"} ${lineages.join(", ")}`,
      output: { lineages },
      diff: p.dryRun
        ? undefined
        : {
            label: "certificates",
            before: Object.fromEntries(due.map((l) => [l.name, l.notAfter ?? "missing"])),
            after: Object.fromEntries(due.map((l) => [l.name, "(renewed)"])),
          },
      finish: (results) => {
        const r = results[results.length - 1] as ExecResult | undefined;
        if (p.dryRun) return { changed: false, message: `dry run: renewal of ${lineages.join(", ")} would succeed` };
        const none =
          /No renewals were attempted|not due for renewal yet/.test(`${r?.stdout ?? ""}${r?.stderr ?? ""}`) &&
          !/Congratulations|renewals succeeded/i.test(`${r?.stdout ?? ""}${r?.stderr ?? ""}`);
        return none ? { changed: false, message: `certbot renewed nothing (${left})` } : { message: `renewed ${lineages.join(", ")}` };
      },
    });
  },
});
