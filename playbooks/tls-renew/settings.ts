/**
 * The variables of the tls-renew playbook (snake_case in the inventory) as the nginx and certbot
 * roles take them, checked against a JSON Schema, with defaults. A bad variable fails the host
 * before anything runs on it, naming the variable.
 */
import { BosunError } from "../../lib/core/errors.js";
import { validateAgainstSchema } from "../../lib/core/schema.js";
import { unsetEnvHint } from "../../lib/core/unset-env.js";
import { secret, type Secret } from "../../lib/core/secrets.js";
import type { Vars } from "../../lib/inventory/types.js";
import type { CertbotRoleCertificate, CertbotRoleInput } from "../../roles/certbot/index.js";
import type { NginxRoleSite } from "../../roles/nginx/index.js";

/** Where the expiry alert goes. */
export type AlertTarget =
  | { readonly kind: "webhook"; readonly url: Secret }
  | { readonly kind: "telegram"; readonly botToken: Secret; readonly chatId: string | number; readonly apiBase?: string };

/** What tls-renew works with. */
export interface TlsSettings {
  /** The certbot role's input (certificates, account, server, environment, window, dry run). */
  readonly certbot: CertbotRoleInput;
  /** The nginx vhosts that serve the certificates. */
  readonly sites: readonly NginxRoleSite[];
  /** A CA bundle on the controller that certbot trusts for the ACME server (a private CA); installed at {@link ACME_CA_BUNDLE_PATH}. */
  readonly acmeCaBundle?: string;
  /** Alert when a certificate has fewer days left than this (`tls_alert_days`, 14). */
  readonly alertDays: number;
  /** Where the alert goes; without one, the alert only fails the run. */
  readonly alert?: AlertTarget;
  /** Install the host's own daily expiry check (`tls_expiry_timer`, true): roles/tls-watch. */
  readonly expiryTimer: boolean;
}

/** Where tls-renew puts `acme_ca_bundle` on the host; certbot gets it as REQUESTS_CA_BUNDLE. */
export const ACME_CA_BUNDLE_PATH = "/etc/ssl/bosun/acme-ca.pem";

/** The defaults of {@link TlsSettings}. */
export const TLS_DEFAULTS = { alertDays: 14, renewBeforeDays: 30, dryRun: true } as const;

const text = { type: "string", minLength: 1 };
const url = { type: "string", pattern: "^https?://\\S+$" };
const secretText = { anyOf: [text, { type: "object" }] };
const names = { type: "array", items: text, minItems: 1 };

/** The JSON Schema of the tls-renew variables (other variables are free). */
export const TLS_VARS_SCHEMA = {
  type: "object",
  properties: {
    tls_email: { type: "string", pattern: "^[^@\\s]+@[^@\\s]+$" },
    acme_server: url,
    acme_ca_bundle: text,
    tls_certificates: {
      type: "array",
      items: {
        type: "object",
        required: ["domains"],
        additionalProperties: false,
        properties: {
          domains: names,
          cert_name: text,
          authenticator: { enum: ["webroot", "standalone", "dns-cloudflare", "manual"] },
          cloudflare_token: secretText,
          dns_propagation_seconds: { type: "integer", minimum: 0 },
          auth_hook: text,
          cleanup_hook: text,
          key_type: { enum: ["ecdsa", "rsa"] },
        },
      },
    },
    tls_sites: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "server_names"],
        additionalProperties: false,
        properties: {
          name: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$" },
          server_names: names,
          upstream: url,
          locations: {
            type: "array",
            items: {
              type: "object",
              required: ["path", "upstream"],
              additionalProperties: false,
              properties: { path: text, upstream: url },
            },
          },
          root: { type: "string", pattern: "^/" },
          cert_name: text,
          client_max_body_size: text,
        },
      },
    },
    tls_renew_before_days: { type: "integer", minimum: 1 },
    tls_dry_run: { type: "boolean" },
    tls_alert_days: { type: "integer", minimum: 0 },
    tls_expiry_timer: { type: "boolean" },
    tls_alert_webhook: secretText,
    tls_alert_telegram: {
      type: "object",
      required: ["bot_token", "chat_id"],
      additionalProperties: false,
      properties: { bot_token: secretText, chat_id: { anyOf: [text, { type: "integer" }] }, api_base: url },
    },
  },
} as const;

type Raw = Record<string, unknown>;

function certificate(c: Raw): CertbotRoleCertificate {
  const opt = (from: string, to: keyof CertbotRoleCertificate): Raw => (c[from] === undefined ? {} : { [to]: c[from] });
  return {
    domains: c.domains as string[],
    ...opt("cert_name", "certName"),
    ...opt("authenticator", "authenticator"),
    ...(c.cloudflare_token === undefined ? {} : { cloudflareToken: secret(c.cloudflare_token as string | Secret) }),
    ...opt("dns_propagation_seconds", "dnsPropagationSeconds"),
    ...opt("auth_hook", "authHook"),
    ...opt("cleanup_hook", "cleanupHook"),
    ...opt("key_type", "keyType"),
  } as CertbotRoleCertificate;
}

function site(s: Raw): NginxRoleSite {
  const opt = (from: string, to: keyof NginxRoleSite): Raw => (s[from] === undefined ? {} : { [to]: s[from] });
  return {
    name: s.name as string,
    serverNames: s.server_names as string[],
    ...opt("upstream", "upstream"),
    ...opt("locations", "locations"),
    ...opt("root", "root"),
    ...opt("cert_name", "certName"),
    ...opt("client_max_body_size", "clientMaxBodySize"),
  } as NginxRoleSite;
}

function alertTarget(v: Raw): AlertTarget | undefined {
  if (v.tls_alert_webhook !== undefined) return { kind: "webhook", url: secret(v.tls_alert_webhook as string | Secret) };
  const t = v.tls_alert_telegram as Raw | undefined;
  if (!t) return undefined;
  return {
    kind: "telegram",
    botToken: secret(t.bot_token as string | Secret),
    chatId: t.chat_id as string | number,
    ...(t.api_base === undefined ? {} : { apiBase: t.api_base as string }),
  };
}

/**
 * Check the tls-renew variables and fill in defaults; undefined when the host has no
 * `tls_certificates` (nothing to do). Throws a BosunError naming a bad variable.
 */
export function tlsSettings(vars: Vars, host?: string): TlsSettings | undefined {
  const problem = validateAgainstSchema(TLS_VARS_SCHEMA, vars);
  const fail = (message: string, hint: string) => new BosunError(`Cannot renew TLS certificates: ${message}`, { host, hint });
  if (problem)
    throw fail(
      problem.replace(/parameter/g, "variable"),
      unsetEnvHint(problem) ?? "set it in the inventory (see the header of playbooks/tls-renew.ts) or with -e",
    );
  const v = vars as Raw;
  const certs = (v.tls_certificates as Raw[] | undefined) ?? [];
  if (!certs.length) return undefined;
  if (v.tls_email === undefined)
    throw fail("tls_email is not set", "the ACME account's e-mail for expiry notices: tls_email: ops@example.org");
  if (v.tls_alert_webhook !== undefined && v.tls_alert_telegram !== undefined)
    throw fail("tls_alert_webhook and tls_alert_telegram exclude each other", "keep one of them");
  const alert = alertTarget(v);
  return {
    certbot: {
      certificates: certs.map(certificate),
      email: v.tls_email as string,
      ...(v.acme_server === undefined ? {} : { server: v.acme_server as string }),
      ...(v.acme_ca_bundle === undefined ? {} : { env: { REQUESTS_CA_BUNDLE: ACME_CA_BUNDLE_PATH } }),
      renewBeforeDays: (v.tls_renew_before_days as number | undefined) ?? TLS_DEFAULTS.renewBeforeDays,
      dryRun: (v.tls_dry_run as boolean | undefined) ?? TLS_DEFAULTS.dryRun,
    },
    sites: ((v.tls_sites as Raw[] | undefined) ?? []).map(site),
    ...(v.acme_ca_bundle === undefined ? {} : { acmeCaBundle: v.acme_ca_bundle as string }),
    alertDays: (v.tls_alert_days as number | undefined) ?? TLS_DEFAULTS.alertDays,
    ...(alert ? { alert } : {}),
    expiryTimer: (v.tls_expiry_timer as boolean | undefined) ?? true,
  };
}
