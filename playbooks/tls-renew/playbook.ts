/**
 * Keep TLS certificates issued and renewed, served by nginx, and watched.
 *
 *   CLOUDFLARE_API_TOKEN=... tsx playbooks/tls-renew.ts --inventory cfa2
 *   tsx playbooks/tls-renew.ts --inventory cfa2 -e tls_renew_before_days=90   # renew now (inside the window)
 *
 * Per host with `tls_certificates` (hosts without them are left alone):
 *   the ACME CA bundle, when the CA is private → nginx with the vhosts (HTTP and the ACME webroot
 *   until a certificate exists) → certbot: each certificate issued, or reissued inside the renewal
 *   window (`tls_renew_before_days`), the deploy hook reloading nginx after every new certificate,
 *   certbot.timer enabled and verified, a renewal dry run (`tls_dry_run`) → the vhosts switched to
 *   HTTPS once their certificate exists → days to expiry per certificate, and an alert to a webhook
 *   or Telegram (`notify`, from the controller) for those below `tls_alert_days` (without a target,
 *   the run fails instead) → the host's own daily expiry check (roles/tls-watch: a systemd timer
 *   alerting the same channel, the token in a root-only file; `tls_expiry_timer: false` to skip),
 *   after reporting its last result. A converged host: nothing changes (the dry run reports ok).
 *
 * Variables (inventory, snake_case; see settings.ts for every field):
 *   tls_email: ops@example.org
 *   tls_certificates:                      # certbot lineages
 *     - domains: [example.org, "*.example.org"]
 *       authenticator: dns-cloudflare      # webroot (default: nginx serves the challenge), manual (hooks), standalone
 *       cloudflare_token: !env CLOUDFLARE_API_TOKEN
 *   tls_sites:                             # nginx vhosts
 *     - { name: portal, server_names: [portal.example.org], cert_name: example.org, upstream: "http://127.0.0.1:3000" }
 *   tls_alert_days: 14
 *   tls_alert_webhook: !env TLS_ALERT_WEBHOOK     # or tls_alert_telegram: { bot_token: !env TG_BOT_TOKEN, chat_id: -1001234567890 }
 *   acme_server: https://acme-v02.api.letsencrypt.org/directory   # default; a private CA also needs acme_ca_bundle (a file on the controller)
 */
import type { Host } from "../../lib/run/host.js";
import { playbook } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import type { Vars } from "../../lib/inventory/types.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { notify } from "../../lib/tasks/notify/index.js";
import { certbotRole } from "../../roles/certbot/index.js";
import { tlsWatchRole } from "../../roles/tls-watch/index.js";
import { nginxRole } from "../../roles/nginx/index.js";
import { certificateDays, expiryAlertText } from "./expiry.js";
import { ACME_CA_BUNDLE_PATH, tlsSettings, type AlertTarget } from "./settings.js";

function alertTarget(a: AlertTarget) {
  return a.kind === "webhook"
    ? { webhook: { url: a.url } }
    : { telegram: { botToken: a.botToken, chatId: a.chatId, ...(a.apiBase ? { apiBase: a.apiBase } : {}) } };
}

/** One host: certificates, vhosts, timer, dry run, expiry alert. */
export async function renewTls(host: Host, vars: Vars): Promise<void> {
  const s = tlsSettings(vars, host.name);
  if (!s) return host.log("no tls_certificates: nothing to do");
  if (s.acmeCaBundle) {
    await host.run(
      ensureFile({
        path: ACME_CA_BUNDLE_PATH,
        src: s.acmeCaBundle,
        mode: "0644",
        createParents: true,
        title: `ACME CA bundle ${ACME_CA_BUNDLE_PATH}`,
      }),
    );
  }
  const before = s.sites.length ? await nginxRole(host, { sites: s.sites }) : undefined;
  const certs = await certbotRole(host, s.certbot);
  // Sites whose certificate was missing were written for HTTP only; now that it exists, switch them.
  if (before && before.tlsSites.length < s.sites.length && !host.checkMode) await nginxRole(host, { sites: s.sites });
  const days = await host.run(certificateDays({ certificates: certs.expiry, alertDays: s.alertDays, failBelow: !s.alert }));
  const below = days.output?.below ?? [];
  if (below.length && s.alert) {
    await host.run(
      notify({
        text: expiryAlertText(host.name, below, s.alertDays),
        ...alertTarget(s.alert),
        title: `expiry alert (${below.length} below ${s.alertDays} days)`,
      }),
    );
  }
  // The host watches its certificates between runs: a daily timer alerting the same channel.
  if (s.expiryTimer) await tlsWatchRole(host, { alertDays: s.alertDays, ...(s.alert ? { channel: s.alert } : {}) });
}

/** The tls-renew playbook: runnable (`tsx playbooks/tls-renew.ts --inventory cfa2`) and importable. */
export const tlsRenew = playbook({
  name: "tls-renew",
  hosts: "all",
  run: renewTls,
});

main(import.meta, tlsRenew);
