/** The parameters of certbotIssue, apart so that its planning helpers can read them without a circle. */
import type { Secret } from "../../core/secrets.js";

/** How certbot proves control of the names. */
export type CertbotAuthenticator = "standalone" | "webroot" | "dns-cloudflare" | "manual";

/** Parameters for {@link certbotIssue}. */
export interface CertbotIssueParams {
  /** Names on the certificate, the first one primary; a wildcard (`*.example.org`) needs dns-cloudflare or manual dns. */
  readonly domains: readonly string[];
  /** Lineage name, the directory under /etc/letsencrypt/live (default: the first domain without `*.`). */
  readonly certName?: string;
  /** standalone (certbot listens on port 80), webroot, dns-cloudflare or manual (hooks). */
  readonly authenticator: CertbotAuthenticator;
  /** webroot: the directory the web server serves `/.well-known/acme-challenge/` from. */
  readonly webroot?: string;
  /** dns-cloudflare: API token with Zone:DNS:Edit; goes into the credentials file (0600) on stdin, never into argv. */
  readonly cloudflareToken?: string | Secret;
  /** dns-cloudflare: credentials file (default /etc/letsencrypt/cloudflare/<certName>.ini). */
  readonly cloudflareCredentials?: string;
  /** dns-cloudflare: seconds to wait for DNS propagation (certbot's default 10). */
  readonly dnsPropagationSeconds?: number;
  /** manual: command that publishes a challenge (gets CERTBOT_DOMAIN, CERTBOT_VALIDATION, CERTBOT_TOKEN). */
  readonly authHook?: string;
  /** manual: command that removes it afterwards. */
  readonly cleanupHook?: string;
  /** manual: the challenge the hooks answer, dns (default) or http. */
  readonly challenge?: "dns" | "http";
  /** ACME directory URL (default Let's Encrypt production). */
  readonly server?: string;
  /** Account e-mail for expiry notices; or set registerUnsafelyWithoutEmail. */
  readonly email?: string;
  /** Register the ACME account without an e-mail address. */
  readonly registerUnsafelyWithoutEmail?: boolean;
  /** Key type (default ecdsa); a lineage of another type is reissued. */
  readonly keyType?: "ecdsa" | "rsa";
  /** Extra environment for certbot, e.g. `{ REQUESTS_CA_BUNDLE: "/etc/ssl/lab-acme-ca.pem" }` (visible in ps: no secrets). */
  readonly env?: Readonly<Record<string, string>>;
  /** Renew when fewer days than this are left (default 30). */
  readonly renewBeforeDays?: number;
  /** Command run before obtaining (e.g. stop what holds port 80 for standalone). */
  readonly preHook?: string;
  /** Command run after obtaining. */
  readonly postHook?: string;
  /** Command run after a certificate was obtained (e.g. `systemctl reload nginx`); certbot keeps it for renewals. */
  readonly deployHook?: string;
}

