/** notify: send a message to a webhook or a Telegram chat, from the controller. */
import { defineTask, changed, skipped, type ActionStep, type TaskHost } from "../../core/task.js";
import { taskParams, required, optional, typed, nonEmpty, bool, any, secretString, oneOf, record, type Static } from "../../core/params.js";
import { Secret, secret, reveal } from "../../core/secrets.js";
import { excerpt, jsonRequest, networkError, type HeaderValue } from "../http/request.js";

/** A webhook that receives `POST` with the JSON body `{ text, ...extra }`. */
const webhookTarget = taskParams({
  url: required(secretString, "The webhook URL; give a Secret when the URL itself is the credential (Slack, Mattermost...)."),
  headers: optional(record(secretString), 'Extra request headers (e.g. `Authorization: secret("Bearer ...")`).'),
  extra: optional(record(any), "Extra fields merged into the JSON body beside `text`."),
});
/** A webhook that receives `POST` with the JSON body `{ text, ...extra }`. */
export type WebhookTarget = Static<typeof webhookTarget>;

/** A Telegram chat reached through a bot (`sendMessage`). */
const telegramTarget = taskParams({
  botToken: required(secretString, "The bot token from @BotFather; registered as a secret, so the URL that holds it is masked."),
  chatId: required(
    typed<string | number>({ anyOf: [{ type: "string", minLength: 1 }, { type: "integer" }] }),
    "The chat id (a number, or `@channelname`).",
  ),
  apiBase: optional(nonEmpty, "API base URL (`https://api.telegram.org`); point it elsewhere for tests."),
  parseMode: optional(oneOf("HTML", "MarkdownV2"), "Telegram's parse mode for the text."),
  disableNotification: optional(bool, "Deliver without a sound."),
});
/** A Telegram chat reached through a bot (`sendMessage`). */
export type TelegramTarget = Static<typeof telegramTarget>;

/** What was sent where. */
export interface NotifyOutput {
  /** webhook or telegram. */
  readonly channel: "webhook" | "telegram";
  /** The HTTP status of the answer. */
  readonly status: number;
}

const TIMEOUT_MS = 30_000;

function urlProblem(name: string, value: string): string | undefined {
  return /^https?:\/\/\S+$/.test(value) ? undefined : `parameter "${name}" must be an http:// or https:// URL`;
}

function paramsProblem(p: NotifyParams): string | undefined {
  if ((p.webhook === undefined) === (p.telegram === undefined)) return `give exactly one of parameters "webhook" and "telegram"`;
  if (p.webhook) return urlProblem("webhook.url", reveal(p.webhook.url));
  if (p.telegram) {
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(reveal(p.telegram.botToken)))
      return `parameter "telegram.botToken" must look like a bot token (123456:ABC...)`;
    return p.telegram.apiBase === undefined ? undefined : urlProblem("telegram.apiBase", p.telegram.apiBase);
  }
  return undefined;
}

/** One POST of {@link post}: its URL, JSON body and extra headers. */
interface JsonPost {
  readonly url: string;
  readonly json: unknown;
  readonly headers?: Readonly<Record<string, HeaderValue>>;
}

async function post(host: TaskHost, label: string, { url, json, headers = {} }: JsonPost) {
  try {
    return await jsonRequest<{ ok?: boolean; description?: string }>(url, { method: "POST", json, headers, timeoutMs: TIMEOUT_MS });
  } catch (error) {
    throw host.fail(`Cannot send the message to ${label}: ${networkError(error)}`, "check the URL and that the controller can reach it");
  }
}

function webhookStep(p: NotifyParams & { webhook: WebhookTarget }): ActionStep {
  const label = `POST ${p.webhook.url instanceof Secret ? "webhook ***" : p.webhook.url}`;
  return {
    label,
    async run(host): Promise<NotifyOutput> {
      const res = await post(host, label, {
        url: reveal(p.webhook.url),
        json: { text: p.text, ...p.webhook.extra },
        headers: p.webhook.headers,
      });
      if (res.status < 200 || res.status > 299)
        throw host.fail(`Cannot send the message to ${label}: status ${res.status}: ${excerpt(res.body)}`);
      return { channel: "webhook", status: res.status };
    },
  };
}

function telegramStep(p: NotifyParams & { telegram: TelegramTarget }): ActionStep {
  const t = p.telegram;
  const token = secret(t.botToken);
  const base = (t.apiBase ?? "https://api.telegram.org").replace(/\/+$/, "");
  const label = `POST ${base}/bot***/sendMessage (chat ${t.chatId})`;
  const body = {
    chat_id: t.chatId,
    text: p.text,
    ...(t.parseMode ? { parse_mode: t.parseMode } : {}),
    ...(t.disableNotification === undefined ? {} : { disable_notification: t.disableNotification }),
  };
  return {
    label,
    async run(host): Promise<NotifyOutput> {
      const res = await post(host, label, { url: `${base}/bot${token.reveal()}/sendMessage`, json: body });
      if (res.status !== 200 || res.json?.ok !== true) {
        const why = res.json?.description ?? excerpt(res.body);
        throw host.fail(
          `Cannot send the message to Telegram chat ${t.chatId}: status ${res.status}: ${why}`,
          "check the bot token, and that the bot is a member of the chat",
        );
      }
      return { channel: "telegram", status: res.status };
    },
  };
}

/** Parameters for {@link notify}. Give exactly one of `webhook` and `telegram`. */
export const notifyParams = taskParams({
  text: required(nonEmpty, "The message."),
  webhook: optional(webhookTarget, "Send to this webhook."),
  telegram: optional(telegramTarget, "Send to this Telegram chat."),
});
/** Parameters for {@link notify}. Give exactly one of `webhook` and `telegram`. */
export type NotifyParams = Static<typeof notifyParams>;

/**
 * Send a message to a webhook (POST JSON `{ text, ...extra }`) or a Telegram chat, from the
 * controller. Always "changed" when sent; skipped in check mode (nothing is sent). Tokens and
 * secret URLs are registered as secrets and never printed; the Telegram URL shows as `bot***`.
 * @example notify({ text: `deployed ${tag} to ${host.name}`, webhook: { url: secret(env.SLACK_WEBHOOK) } })
 * @example notify({ text: "certificate expires in 9 days", telegram: { botToken: secret(env.TG_TOKEN), chatId: -1001234567890 } })
 */
export const notify = defineTask<NotifyParams, NotifyOutput>({
  id: "notify.send",
  description: "Send a message to a webhook or a Telegram chat, from the controller (skipped in check mode).",
  title: (p) => (p.telegram ? `notify Telegram chat ${p.telegram.chatId}` : "notify webhook"),
  schema: notifyParams,
  validate: paramsProblem,
  async check(host, p) {
    const where = p.telegram ? `Telegram chat ${p.telegram.chatId}` : "the webhook";
    if (p.telegram) secret(p.telegram.botToken);
    // checkMode: reported as skipped, not changed: a message is no change to the host, so --check must not count one.
    if (host.checkMode) return skipped(`would send a message to ${where}`);
    const step = p.telegram
      ? telegramStep(p as NotifyParams & { telegram: TelegramTarget })
      : webhookStep(p as NotifyParams & { webhook: WebhookTarget });
    return changed<NotifyOutput>([step], {
      message: `send a message to ${where}`,
      finish: (results) => ({ output: results[0] as NotifyOutput, message: `sent a message to ${where}` }),
    });
  },
});
