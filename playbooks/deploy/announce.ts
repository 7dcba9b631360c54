/**
 * Deploy announcements: start, success, failure and rollback, posted from the controller to a
 * webhook (`deploy_announce_webhook: https://...`) or a Telegram chat (`deploy_announce_telegram:
 * { bot_token, chat_id, api_base? }`), naming the release (tag, and digests once pinned), the host,
 * who deploys and how long it took. Nothing is posted when neither is set, nor under --check. A
 * message that cannot be sent is a warning in the run (ignoreErrors), never a failed deploy.
 */
import { BosunError } from "../../lib/core/errors.js";
import { Secret, secret } from "../../lib/core/secrets.js";
import type { Vars } from "../../lib/core/vars.js";
import type { Host } from "../../lib/run/host.js";
import { notify } from "../../lib/tasks/notify/index.js";

/** Where announcements go: the notify task's target. */
export type AnnounceTarget =
  | { readonly webhook: { readonly url: Secret } }
  | { readonly telegram: { readonly botToken: Secret; readonly chatId: string | number; readonly apiBase?: string } };

/** What happened. */
export type DeployEvent = "start" | "success" | "failure" | "rollback";

/** One announcement. */
export interface Announcement {
  /** What happened. */
  readonly event: DeployEvent;
  /** The release's tag. */
  readonly tag: string;
  /** Its pinned digests by service, once known. */
  readonly digests?: Readonly<Record<string, string>>;
  /** The host. */
  readonly host: string;
  /** Who deploys (`deployer`). */
  readonly who: string;
  /** Time since the deploy started on this host. */
  readonly durationMs?: number;
  /** Why it failed or rolled back. */
  readonly reason?: string;
}

const text = (v: unknown): v is string | Secret => typeof v === "string" || v instanceof Secret;

/** The target the variables name, or undefined; throws naming a malformed variable. */
export function announceTarget(vars: Vars, host?: string): AnnounceTarget | undefined {
  const fail = (problem: string) =>
    new BosunError(`Cannot announce deploys: ${problem}`, {
      host,
      hint: "deploy_announce_webhook: https://... or deploy_announce_telegram: { bot_token, chat_id }",
    });
  const webhook = vars.deploy_announce_webhook;
  const telegram = vars.deploy_announce_telegram as Record<string, unknown> | undefined;
  if (webhook !== undefined && telegram !== undefined)
    throw fail("deploy_announce_webhook and deploy_announce_telegram exclude each other");
  if (webhook !== undefined) {
    if (!text(webhook)) throw fail("deploy_announce_webhook must be a URL");
    return { webhook: { url: secret(webhook) } };
  }
  if (telegram === undefined) return undefined;
  if (
    typeof telegram !== "object" ||
    !text(telegram.bot_token) ||
    (typeof telegram.chat_id !== "string" && typeof telegram.chat_id !== "number")
  )
    throw fail("deploy_announce_telegram needs bot_token and chat_id");
  return {
    telegram: {
      botToken: secret(telegram.bot_token),
      chatId: telegram.chat_id,
      ...(typeof telegram.api_base === "string" ? { apiBase: telegram.api_base } : {}),
    },
  };
}

function release(a: Announcement): string {
  const digests = Object.entries(a.digests ?? {}).map(([service, ref]) => `${service}@${ref.split("@sha256:")[1]?.slice(0, 12) ?? ref}`);
  return digests.length ? `${a.tag} (${digests.join(", ")})` : a.tag;
}

/** The message for an announcement, one line. */
export function announcementText(a: Announcement): string {
  const took = a.durationMs === undefined ? "" : ` after ${Math.round(a.durationMs / 1000)} s`;
  switch (a.event) {
    case "start":
      return `deploy of ${a.tag} to ${a.host} started by ${a.who}`;
    case "success":
      return `${a.host} runs ${release(a)}: deployed by ${a.who}${took.replace("after", "in")}`;
    case "rollback":
      return `deploy of ${a.tag} to ${a.host} by ${a.who} rolled back${took}: ${a.reason ?? "see the run"}`;
    case "failure":
      return `deploy of ${a.tag} to ${a.host} by ${a.who} failed${took}: ${a.reason ?? "see the run"}`;
  }
}

/** Post one announcement when a target is set (a failed post is a warning, not a failed deploy). */
export async function announce(host: Host, target: AnnounceTarget | undefined, a: Announcement): Promise<void> {
  if (!target) return;
  await host.run(notify({ text: announcementText(a), ...target, title: `announce deploy ${a.event}`, ignoreErrors: true }));
}

/** The event a failed deploy announces: a rollback when the host went back to the previous release. */
export function failureEvent(error: unknown): "failure" | "rollback" {
  return error instanceof Error && /\. Rolled back to /.test(error.message) ? "rollback" : "failure";
}

/** The first line of an error, for a one-line announcement. */
export function errorSummary(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}
