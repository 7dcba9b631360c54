/**
 * Role `certbot`: certbot installed, a certificate for each configured set of names, the renewal
 * timer enabled, started and verified, and a deploy hook that reloads nginx after every new
 * certificate (first issue, reissue and renewals by the timer alike).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TaskResult } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import type { Secret } from "../../lib/core/secrets.js";
import { command, type CommandOutput } from "../../lib/tasks/command.js";
import { apt } from "../../lib/tasks/packages/index.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { environmentLine, service, systemdUnit } from "../../lib/tasks/services/index.js";
import { certbotIssue, certbotRenew, type CertbotAuthenticator } from "../../lib/tasks/tls/index.js";
import { certificateExpiry, parseCertificateExpiry, type CertificateExpiry } from "../../lib/facts/certificates.js";
import { defineRole } from "../../lib/run/role.js";

/** The deploy hook script beside the role. */
export const RELOAD_NGINX_HOOK_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates", "reload-nginx.sh");
/** Where the role installs it: certbot runs every script there after a renewal. */
export const RELOAD_NGINX_HOOK = "/etc/letsencrypt/renewal-hooks/deploy/bosun-reload-nginx";

/** One certificate the role keeps. */
export interface CertbotRoleCertificate {
  /** Names on it; the first one primary. */
  readonly domains: readonly string[];
  /** Lineage name (default: the first domain without `*.`). */
  readonly certName?: string;
  /** How certbot proves control ("webroot", served by the nginx role's ACME location). */
  readonly authenticator?: CertbotAuthenticator;
  /** webroot directory (the role's `webroot`). */
  readonly webroot?: string;
  /** dns-cloudflare: API token (Zone:DNS:Edit), kept in a 0600 credentials file. */
  readonly cloudflareToken?: string | Secret;
  /** dns-cloudflare: seconds to wait for DNS propagation. */
  readonly dnsPropagationSeconds?: number;
  /** manual: command publishing a challenge. */
  readonly authHook?: string;
  /** manual: command removing it. */
  readonly cleanupHook?: string;
  /** Key type ("ecdsa"). */
  readonly keyType?: "ecdsa" | "rsa";
}

/** Inputs of {@link certbotRole}; give `email` or `registerUnsafelyWithoutEmail`. */
export interface CertbotRoleInput {
  /** The certificates. */
  readonly certificates: readonly CertbotRoleCertificate[];
  /** Account e-mail for expiry notices. */
  readonly email?: string;
  /** Register the ACME account without an e-mail. */
  readonly registerUnsafelyWithoutEmail?: boolean;
  /** ACME directory URL (Let's Encrypt production). */
  readonly server?: string;
  /**
   * Environment for certbot, e.g. `{ REQUESTS_CA_BUNDLE }` for a private CA; also written to a
   * drop-in of certbot.service so that the timer's renewals get it ({}).
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Directory for webroot challenges ("/var/www/letsencrypt", the nginx role's default). */
  readonly webroot?: string;
  /** Install the deploy hook that reloads nginx after every new certificate (true). */
  readonly reloadNginx?: boolean;
  /** Reissue when fewer days than this are left (30). */
  readonly renewBeforeDays?: number;
  /** Prove renewal works with `certbot renew --dry-run` at the end (false; it talks to the CA). */
  readonly dryRun?: boolean;
  /** Tags given to the role's tasks (["certbot", "tls"]). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link CertbotRoleInput}. */
export const CERTBOT_ROLE_DEFAULTS = {
  env: {} as Readonly<Record<string, string>>,
  webroot: "/var/www/letsencrypt",
  reloadNginx: true,
  renewBeforeDays: 30,
  dryRun: false,
  tags: ["certbot", "tls"] as readonly string[],
} as const;

/** What {@link certbotRole} did and found. */
export interface CertbotRoleResult {
  /** Task results in order. */
  readonly results: readonly TaskResult[];
  /** Days left per certificate after the role ran (empty in check mode on a fresh host). */
  readonly expiry: readonly CertificateExpiry[];
  /** When the renewal timer fires next, as systemd says it (empty in check mode on a fresh host). */
  readonly nextRenewal: string;
}

const TIMER_PROPS = ["LoadState", "ActiveState", "UnitFileState", "NextElapseUSecRealtime"];

/** Whether `systemctl show certbot.timer` says the timer is loaded but not enabled, active and scheduled. */
export function timerProblem(show: string): string | undefined {
  const props = new Map(
    show
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  if (props.get("LoadState") !== "loaded") return undefined; // only in --check before certbot is installed
  if (props.get("UnitFileState") !== "enabled") return `certbot.timer is ${props.get("UnitFileState") || "not enabled"}`;
  if (props.get("ActiveState") !== "active") return `certbot.timer is ${props.get("ActiveState")}`;
  if (!props.get("NextElapseUSecRealtime")) return "certbot.timer has no next run scheduled";
  return undefined;
}

/**
 * Install certbot, obtain the certificates, keep them renewed by certbot.timer, and reload nginx
 * after every new certificate.
 * @example await certbotRole(host, { email: "ops@example.org", certificates: [{ domains: ["example.org", "www.example.org"] }] })
 */
export const certbotRole = defineRole<CertbotRoleInput, CertbotRoleResult, typeof CERTBOT_ROLE_DEFAULTS>({
  name: "certbot",
  description: "Certificates from an ACME CA with certbot, renewed by certbot's timer, nginx reloaded by a deploy hook.",
  defaults: CERTBOT_ROLE_DEFAULTS,
  async apply(host, input) {
    const o = { ...CERTBOT_ROLE_DEFAULTS, ...input };
    const tags = o.tags;
    const results: TaskResult[] = [];
    const cloudflare = o.certificates.some((c) => c.authenticator === "dns-cloudflare");
    results.push(
      await host.run(
        apt({
          names: ["certbot", ...(cloudflare ? ["python3-certbot-dns-cloudflare"] : [])],
          updateCache: true,
          cacheValidSeconds: 86_400,
          tags,
        }),
      ),
    );
    if (o.reloadNginx) {
      results.push(
        await host.run(ensureFile({ path: RELOAD_NGINX_HOOK, src: RELOAD_NGINX_HOOK_SOURCE, mode: "0755", createParents: true, tags })),
      );
    }
    const envLines = Object.entries(o.env).map(([k, v]) => environmentLine(k, v));
    results.push(
      await host.run(
        envLines.length
          ? systemdUnit({
              name: "certbot.service",
              dropIn: "bosun-env",
              content: `# written by bosun (roles/certbot)\n[Service]\n${envLines.join("\n")}\n`,
              tags,
            })
          : systemdUnit({ name: "certbot.service", dropIn: "bosun-env", state: "absent", tags }),
      ),
    );
    results.push(await host.run(service({ name: "certbot.timer", enabled: true, state: "started", tags })));
    const timer = await host.run(
      command({
        cmd: sh`systemctl show certbot.timer ${TIMER_PROPS.map((p) => `-p${p}`)}`,
        readOnly: true,
        failedWhen: (r) => r.rc !== 0 || timerProblem(r.stdout) !== undefined,
        title: "certbot.timer enabled and scheduled",
        tags,
      }),
    );
    results.push(timer);
    const account = o.email ? { email: o.email } : { registerUnsafelyWithoutEmail: true };
    for (const c of o.certificates) {
      const authenticator = c.authenticator ?? "webroot";
      results.push(
        await host.run(
          certbotIssue({
            ...c,
            ...account,
            authenticator,
            ...(authenticator === "webroot" ? { webroot: c.webroot ?? o.webroot } : {}),
            ...(o.server ? { server: o.server } : {}),
            ...(Object.keys(o.env).length ? { env: o.env } : {}),
            renewBeforeDays: o.renewBeforeDays,
            ...(o.reloadNginx ? { deployHook: RELOAD_NGINX_HOOK } : {}),
            tags,
          }),
        ),
      );
    }
    if (o.dryRun)
      results.push(
        await host.run(
          certbotRenew({
            dryRun: true,
            ...(o.server ? { server: o.server } : {}),
            ...(Object.keys(o.env).length ? { env: o.env } : {}),
            tags,
          }),
        ),
      );
    const probe = await host.run(command({ cmd: certificateExpiry.command({}), readOnly: true, title: "days left per certificate", tags }));
    results.push(probe);
    const stdout = (probe.output as CommandOutput | undefined)?.stdout ?? "";
    const next = /NextElapseUSecRealtime=(.*)/.exec((timer.output as CommandOutput | undefined)?.stdout ?? "")?.[1] ?? "";
    return { results, expiry: stdout.includes("@@now") ? parseCertificateExpiry(stdout) : [], nextRenewal: next };
  },
});
