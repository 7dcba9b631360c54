/**
 * A local stand-in for the Telegram Bot API's `sendMessage` (the call notify makes): the token
 * is part of the path, as on api.telegram.org, and a wrong one gets Telegram's 401 answer.
 */
import { startStandIn, type StandIn } from "./server.js";

/** A message the stand-in accepted. */
export interface SentMessage {
  readonly chatId: unknown;
  readonly text: string;
  readonly body: Record<string, unknown>;
}

/** The stand-in and what it received. */
export interface TelegramStandIn extends StandIn {
  /** `apiBase` to give the task. */
  readonly apiBase: string;
  /** Accepted messages. */
  readonly messages: SentMessage[];
}

/** Start a Telegram stand-in for the bot with this token. */
export async function startTelegramStandIn(token: string): Promise<TelegramStandIn> {
  const messages: SentMessage[] = [];
  const server = await startStandIn((req) => {
    const m = /^\/bot([^/]+)\/sendMessage$/.exec(req.path);
    if (!m || req.method !== "POST") return { status: 404, json: { ok: false, error_code: 404, description: "Not Found" } };
    if (m[1] !== token) return { status: 401, json: { ok: false, error_code: 401, description: "Unauthorized" } };
    const body = (req.json ?? {}) as Record<string, unknown>;
    if (body.chat_id === undefined || typeof body.text !== "string")
      return { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: message text is empty" } };
    if (body.chat_id === "unknown")
      return { status: 400, json: { ok: false, error_code: 400, description: "Bad Request: chat not found" } };
    messages.push({ chatId: body.chat_id, text: body.text, body });
    return { json: { ok: true, result: { message_id: messages.length, chat: { id: body.chat_id }, text: body.text } } };
  });
  return { ...server, apiBase: server.url, messages };
}
