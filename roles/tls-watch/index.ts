/**
 * Role `tls-watch`: the host watches its own certificates. A daily systemd timer
 * (`bosun-tls-expiry.timer`) runs a small script that reads the days to expiry of every
 * certificate under /etc/letsencrypt/live and posts an alert to a webhook or Telegram chat when one
 * has fewer than `alertDays` left, so an expiry is caught even when nobody runs tls-renew (Let's
 * Encrypt stopped its expiry e-mails in June 2025). The webhook URL or bot token lives in a
 * root-only file (0600) and reaches curl on stdin: it is in no unit file, on no command line and in
 * no journal line. Each run records its outcome; the next role run reports it.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { quote } from "../../lib/core/command.js";
import { secret, type Secret } from "../../lib/core/secrets.js";
import { ensureAbsent, ensureFile } from "../../lib/tasks/files/index.js";
import { apt } from "../../lib/tasks/packages/index.js";
import { systemdTimer } from "../../lib/tasks/services/index.js";
import { tlsWatchLastResult, type TlsWatchLastResult } from "./last-result.js";
import { defineRole } from "../../lib/run/role.js";

/** The check script beside the role. */
export const TLS_WATCH_SCRIPT_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates", "tls-expiry-check.sh");
/** Where the role installs it. */
export const TLS_WATCH_SCRIPT = "/usr/local/lib/bosun/tls-expiry-check";
/** Its settings (no secret: threshold, channel kind, chat id, API base). */
export const TLS_WATCH_CONFIG = "/etc/bosun/tls-watch/watch.conf";
/** The webhook URL or bot token, root-only. */
export const TLS_WATCH_SECRET = "/etc/bosun/tls-watch/secret";
/** The timer (and service) name. */
export const TLS_WATCH_UNIT = "bosun-tls-expiry";

/** Where the timer's alert goes. */
export type TlsWatchChannel =
  | { readonly kind: "webhook"; readonly url: string | Secret }
  | { readonly kind: "telegram"; readonly botToken: string | Secret; readonly chatId: string | number; readonly apiBase?: string };

/** Input of {@link tlsWatchRole}. */
export interface TlsWatchRoleInput {
  /** Alert when a certificate has fewer days left than this. */
  readonly alertDays: number;
  /** Where the alert goes; without one, a certificate below the threshold fails the timer's service (visible in systemctl). */
  readonly channel?: TlsWatchChannel;
  /** When to check: a systemd calendar expression (default `daily`). */
  readonly onCalendar?: string;
  /** Name in the alert text (default: the inventory name). */
  readonly hostLabel?: string;
}

/** What {@link tlsWatchRole} reports. */
export interface TlsWatchResult {
  /** The timer's last run, as it was before this run (re)installed anything. */
  readonly last: TlsWatchLastResult;
}

/** The settings file's text: shell assignments, single-quoted. */
export function tlsWatchConfig(input: TlsWatchRoleInput, hostLabel: string): string {
  const c = input.channel;
  const lines = [
    "# Written by bosun (tls-renew, roles/tls-watch). The secret is in secret beside this file, root-only.",
    `ALERT_DAYS=${quote(String(input.alertDays))}`,
    `HOST_LABEL=${quote(hostLabel)}`,
    `CHANNEL=${quote(c?.kind ?? "none")}`,
  ];
  if (c?.kind === "telegram") {
    lines.push(`CHAT_ID_JSON=${quote(JSON.stringify(c.chatId))}`);
    lines.push(`API_BASE=${quote((c.apiBase ?? "https://api.telegram.org").replace(/\/+$/, ""))}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Install (or update) the expiry timer; reports the timer's last result first. */
/** The defaults of {@link TlsWatchRoleInput}: none, every input is given or optional. */
export const TLS_WATCH_ROLE_DEFAULTS = {};

export const tlsWatchRole = defineRole<TlsWatchRoleInput, TlsWatchResult, typeof TLS_WATCH_ROLE_DEFAULTS>({
  name: "tls-watch",
  description: "A daily timer on the host that checks its certificates days to expiry and alerts below a threshold.",
  defaults: TLS_WATCH_ROLE_DEFAULTS,
  async apply(host, input) {
    const last = (await host.run(tlsWatchLastResult({ unit: TLS_WATCH_UNIT }))).output ?? { ran: false, summary: "not known (check mode)" };
    await host.run(apt({ names: ["curl", "openssl"], state: "present" }));
    await host.run(
      ensureFile({ path: TLS_WATCH_SCRIPT, src: TLS_WATCH_SCRIPT_SOURCE, mode: "0755", owner: "root", group: "root", createParents: true }),
    );
    await host.run(
      ensureFile({
        path: TLS_WATCH_CONFIG,
        content: tlsWatchConfig(input, input.hostLabel ?? host.name ?? "this host"),
        mode: "0644",
        owner: "root",
        group: "root",
        createParents: true,
      }),
    );
    const c = input.channel;
    if (c) {
      const value = c.kind === "webhook" ? c.url : c.botToken;
      await host.run(
        ensureFile({
          path: TLS_WATCH_SECRET,
          content: secret(value), // registered for masking; written through stdin
          mode: "0600",
          owner: "root",
          group: "root",
          title: `${TLS_WATCH_SECRET} (root only)`,
          secret: true,
        }),
      );
    } else await host.run(ensureAbsent({ path: TLS_WATCH_SECRET }));
    await host.run(
      systemdTimer({
        name: TLS_WATCH_UNIT,
        description: "bosun: days to expiry of the TLS certificates, alert below the threshold",
        onCalendar: input.onCalendar ?? "daily",
        randomizedDelaySec: 3600,
        command: TLS_WATCH_SCRIPT,
      }),
    );
    return { last };
  },
});
