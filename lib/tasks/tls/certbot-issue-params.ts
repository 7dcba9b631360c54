/** The parameters of certbotIssue, apart so that its planning helpers can read them without a circle. */
import {
  taskParams,
  required,
  optional,
  matching,
  intIn,
  str,
  nonEmpty,
  absPath,
  bool,
  int,
  secretString,
  oneOf,
  list,
  record,
  type Static,
} from "../../core/params.js";

/** Parameters for {@link certbotIssue}. */
export const certbotIssueParams = taskParams({
  domains: required(
    list(nonEmpty),
    "Names on the certificate, the first one primary; a wildcard (`*.example.org`) needs dns-cloudflare or manual dns.",
  ),
  certName: optional(nonEmpty, "Lineage name, the directory under /etc/letsencrypt/live (default: the first domain without `*.`)."),
  authenticator: required(
    oneOf("standalone", "webroot", "dns-cloudflare", "manual"),
    "standalone (certbot listens on port 80), webroot, dns-cloudflare or manual (hooks).",
  ),
  webroot: optional(absPath, "webroot: the directory the web server serves `/.well-known/acme-challenge/` from."),
  cloudflareToken: optional(
    secretString,
    "dns-cloudflare: API token with Zone:DNS:Edit; goes into the credentials file (0600) on stdin, never into argv.",
  ),
  cloudflareCredentials: optional(absPath, "dns-cloudflare: credentials file (default /etc/letsencrypt/cloudflare/<certName>.ini)."),
  dnsPropagationSeconds: optional(intIn({ minimum: 0 }), {
    description: "dns-cloudflare: seconds to wait for DNS propagation (certbot's default).",
    default: 10,
  }),
  authHook: optional(nonEmpty, "manual: command that publishes a challenge (gets CERTBOT_DOMAIN, CERTBOT_VALIDATION, CERTBOT_TOKEN)."),
  cleanupHook: optional(nonEmpty, "manual: command that removes it afterwards."),
  challenge: optional(oneOf("dns", "http"), { description: "manual: the challenge the hooks answer, dns or http.", default: "dns" }),
  server: optional(matching("^https?://"), "ACME directory URL (default Let's Encrypt production)."),
  email: optional(matching("^[^@\\s]+@[^@\\s]+$"), "Account e-mail for expiry notices; or set registerUnsafelyWithoutEmail."),
  registerUnsafelyWithoutEmail: optional(bool, "Register the ACME account without an e-mail address."),
  keyType: optional(oneOf("ecdsa", "rsa"), { description: "Key type; a lineage of another type is reissued.", default: "ecdsa" }),
  env: optional(
    record(str),
    'Extra environment for certbot, e.g. `{ REQUESTS_CA_BUNDLE: "/etc/ssl/lab-acme-ca.pem" }` (visible in ps: no secrets).',
  ),
  renewBeforeDays: optional(int, { description: "Renew when fewer days than this are left.", default: 30 }),
  preHook: optional(nonEmpty, "Command run before obtaining (e.g. stop what holds port 80 for standalone)."),
  postHook: optional(nonEmpty, "Command run after obtaining."),
  deployHook: optional(
    nonEmpty,
    "Command run after a certificate was obtained (e.g. `systemctl reload nginx`); certbot keeps it for renewals.",
  ),
});
/** Parameters for {@link certbotIssue}. */
export type CertbotIssueParams = Static<typeof certbotIssueParams>;
/** How certbot proves control of the names. */
export type CertbotAuthenticator = CertbotIssueParams["authenticator"];
