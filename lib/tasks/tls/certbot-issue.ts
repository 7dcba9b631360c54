/** certbotIssue: a certificate for these names exists and is outside its renewal window. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged, needing, type Prerequisite, type TaskHost } from "../../core/task.js";
import { sh, raw, type Command } from "../../core/command.js";
import { reveal, secret } from "../../core/secrets.js";
import { LETSENCRYPT_DIR, certbotStateCommand, parseCertbotState } from "../../facts/certificates.js";
import { atomicWrite } from "../files/atomic-write.js";
import { defaultCertName } from "./certbot-args.js";
import { certonlyCommand, cloudflareCredentialsContent, issueProblem, reissueReason } from "./certbot-issue-plan.js";

export type { CertbotAuthenticator, CertbotIssueParams } from "./certbot-issue-params.js";
import { certbotIssueParams, type CertbotIssueParams } from "./certbot-issue-params.js";

/** What {@link certbotIssue} reports. */
export interface CertbotIssueOutput {
  /** Lineage name. */
  readonly certName: string;
  /** Full chain to serve: /etc/letsencrypt/live/<name>/fullchain.pem. */
  readonly fullchainPath: string;
  /** Private key: /etc/letsencrypt/live/<name>/privkey.pem. */
  readonly privkeyPath: string;
  /** Days left before this run acted (absent when there was no certificate). */
  readonly daysLeft?: number;
}

async function readState(host: TaskHost, certName: string, credentials: string | undefined) {
  const cred = credentials
    ? sh`; echo @@cred; if [ -f ${credentials} ]; then sha256sum < ${credentials} | cut -d' ' -f1; stat -c %a -- ${credentials}; fi`
    : raw("");
  const r = await host.exec(sh`${certbotStateCommand(certName)}${cred}`);
  if (r.code !== 0) throw host.fail(`Cannot read certificate "${certName}": ${r.stderr.trim() || `exit ${r.code}`}`);
  const [stateText = "", credText] = r.stdout.split("\n@@cred\n");
  try {
    const st = parseCertbotState(stateText);
    const [sha, mode] = (credText ?? "").split("\n");
    return { st, cred: sha ? { sha256: sha, mode: (mode ?? "").padStart(4, "0") } : undefined };
  } catch (error) {
    throw host.fail(
      `Cannot read certificate "${certName}": ${(error as Error).message}`,
      "run the task with sudo: true (/etc/letsencrypt is root's)",
    );
  }
}

/**
 * Ensure a certificate for `domains` from an ACME CA, with certbot: nothing happens while the
 * lineage holds the same names, key type and server and is outside the renewal window
 * (`renewBeforeDays`, read with openssl from /etc/letsencrypt/live/<name>/cert.pem); otherwise it
 * is issued, or reissued with `--force-renewal`. For dns-cloudflare, the token is written to a
 * 0600 credentials file on stdin (never argv) and that file is kept up to date.
 * @example certbotIssue({ domains: ["example.org", "www.example.org"], authenticator: "webroot", webroot: "/var/www/html", email: "ops@example.org" })
 * @example certbotIssue({ domains: ["example.org", "*.example.org"], authenticator: "dns-cloudflare", cloudflareToken: secret(process.env.CF_TOKEN!), email: "ops@example.org", deployHook: "systemctl reload nginx" })
 */
export const certbotIssue = defineTask<CertbotIssueParams, CertbotIssueOutput>({
  id: "tls.certbotIssue",
  description: "A certificate for these names from an ACME CA (certbot), renewed inside the renewal window.",
  title: (p) => `certificate ${p.certName ?? defaultCertName(p.domains)} (${p.domains.join(", ")})`,
  schema: certbotIssueParams,
  validate: issueProblem,
  async check(host, p) {
    const certName = p.certName ?? defaultCertName(p.domains);
    const credentials =
      p.authenticator === "dns-cloudflare" ? (p.cloudflareCredentials ?? `${LETSENCRYPT_DIR}/cloudflare/${certName}.ini`) : undefined;
    const { st, cred } = await readState(host, certName, credentials);
    const pkgs = p.authenticator === "dns-cloudflare" ? ["certbot", "python3-certbot-dns-cloudflare"] : ["certbot"];
    const needs: Prerequisite[] = st.installed
      ? []
      : [
          {
            doing: `Cannot issue certificate "${certName}"`,
            missing: "certbot is not installed",
            hint: `install it first, e.g. apt({ names: [${pkgs.map((n) => `"${n}"`).join(", ")}] }) or the certbot role`,
          },
        ];
    const live = `${LETSENCRYPT_DIR}/live/${certName}`;
    const lineage = st.lineages.find((l) => l.name === certName);
    const output: CertbotIssueOutput = {
      certName,
      fullchainPath: `${live}/fullchain.pem`,
      privkeyPath: `${live}/privkey.pem`,
      ...(lineage?.daysLeft !== undefined ? { daysLeft: lineage.daysLeft } : {}),
    };
    const steps: Command[] = [];
    const messages: string[] = [];
    if (credentials && p.cloudflareToken !== undefined) {
      const token = secret(p.cloudflareToken); // masked in every output from here on, even when given as a string
      const content = secret(cloudflareCredentialsContent(reveal(token)));
      const sha = createHash("sha256").update(reveal(content)).digest("hex");
      if (cred?.sha256 !== sha || cred.mode !== "0600") {
        steps.push(atomicWrite(credentials, content, { mode: "0600", owner: "root", group: "root", createParents: true }));
        messages.push(`${cred ? "update" : "write"} ${credentials} (0600)`);
      }
    }
    const reason = reissueReason(p, lineage);
    if (reason) {
      const certonly = certonlyCommand(p, { certName, credentials: credentials ?? "", force: lineage !== undefined });
      const write = steps.pop();
      // One remote command: the credentials write reads the token on stdin, certbot then runs with stdin at EOF.
      steps.push(
        write
          ? {
              text: sh`( ${raw(write.text)}
) && ${certonly}`.text,
              stdin: write.stdin,
              label: `${write.label}; ${certonly.text}`,
            }
          : certonly,
      );
      messages.push(lineage ? `reissue ${certName}: ${reason}` : `issue ${certName} for ${p.domains.join(", ")}`);
    }
    if (!steps.length)
      return needing(unchanged(`${certName} (${lineage?.domains.join(", ")}) valid for ${lineage?.daysLeft} more day(s)`, output), needs);
    const before = lineage
      ? { domains: lineage.domains, keyType: lineage.keyType, server: lineage.server, notAfter: lineage.notAfter }
      : undefined;
    const after = reason
      ? { domains: p.domains, keyType: p.keyType ?? "ecdsa", server: p.server ?? lineage?.server, notAfter: "(new)" }
      : before;
    return changed(steps, {
      diff: { label: `certificate ${certName}`, before, after },
      message: messages.join("; "),
      output,
      needs,
    });
  },
});
