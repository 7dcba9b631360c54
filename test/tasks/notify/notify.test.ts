/** notify against local stand-ins for a webhook receiver and the Telegram Bot API (neither real service is reachable here). */
import { secret } from "../../../lib/core/secrets.js";
import { notify } from "../../../lib/tasks/notify/index.js";
import { startStandIn, type StandIn } from "../../support/stand-ins/server.js";
import { startTelegramStandIn, type TelegramStandIn } from "../../support/stand-ins/telegram.js";
import { controllerHost, everythingPrinted } from "../../support/stand-ins/controller-host.js";

const BOT_TOKEN = "7212345678:AAHk3x9-Qz8sLw0e6v4NfS2rT9kYb3pQm1x";
let telegram: TelegramStandIn;
let hook: StandIn;
let hookStatus = 200;
beforeEach(async () => {
  telegram = await startTelegramStandIn(BOT_TOKEN);
  hookStatus = 200;
  hook = await startStandIn(() => ({ status: hookStatus, body: hookStatus === 200 ? "ok" : "invalid_payload" }));
});
afterEach(async () => {
  await telegram.close();
  await hook.close();
});

describe("notify() against a local stand-in for a webhook receiver", () => {
  test("notify() POSTs the JSON body { text, ...extra } with the given headers and reports changed", async () => {
    const run = controllerHost();
    const r = await run.run(
      notify({
        text: "deployed sha-abc123 to cfa2",
        webhook: {
          url: `${hook.url}/hooks/deploy`,
          headers: { Authorization: secret("Bearer hook-s3cr3t-91x") },
          extra: { channel: "#ops", icon_emoji: ":rocket:" },
        },
      }),
    );
    expect(r).toMatchObject({ status: "changed", message: "sent a message to the webhook", output: { channel: "webhook", status: 200 } });
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect([req.method, req.path]).toEqual(["POST", "/hooks/deploy"]);
    expect(req.headers).toMatchObject({
      "content-type": "application/json",
      accept: "application/json",
      authorization: "Bearer hook-s3cr3t-91x",
    });
    expect(req.json).toEqual({ text: "deployed sha-abc123 to cfa2", channel: "#ops", icon_emoji: ":rocket:" });
    expect(run.commands).toEqual([]);
    expect(everythingPrinted(run)).not.toContain("hook-s3cr3t-91x");
  });

  test("notify() sends again on every run (a message is an event, not a state)", async () => {
    const run = controllerHost();
    const call = notify({ text: "hello", webhook: { url: hook.url } });
    expect((await run.run(call)).status).toBe("changed");
    expect((await run.run(call)).status).toBe("changed");
    expect(hook.requests).toHaveLength(2);
  });

  test("notify() in check mode is skipped and sends nothing", async () => {
    const run = controllerHost({ check: true });
    expect(await run.run(notify({ text: "hello", webhook: { url: hook.url } }))).toMatchObject({
      status: "skipped",
      message: "would send a message to the webhook",
    });
    expect(hook.requests).toEqual([]);
  });

  test("notify() fails with the receiver's status and answer, and masks a webhook URL given as a Secret", async () => {
    hookStatus = 400;
    const run = controllerHost();
    const url = `${hook.url}/services/T000/B000/hookurl-s3cr3t-Xy7`;
    const r = await run.run(notify({ text: "x", webhook: { url: secret(url) } }));
    expect(r.failed).toBe(true);
    expect(r.message).toBe("Cannot send the message to POST webhook ***: status 400: invalid_payload");
    expect(hook.requests[0]?.path).toBe("/services/T000/B000/hookurl-s3cr3t-Xy7");
    expect(everythingPrinted(run)).not.toContain("hookurl-s3cr3t-Xy7");
  });
});

describe("notify() against a local stand-in for the Telegram Bot API", () => {
  test("notify() calls sendMessage with the token in the path, the chat and the text, and never prints the token", async () => {
    const run = controllerHost();
    const r = await run.run(
      notify({
        text: "certificate for example.com expires in 9 days",
        telegram: { botToken: BOT_TOKEN, chatId: -1001234567890, apiBase: telegram.apiBase, parseMode: "HTML", disableNotification: true },
      }),
    );
    expect(r).toMatchObject({
      status: "changed",
      output: { channel: "telegram", status: 200 },
      message: "sent a message to Telegram chat -1001234567890",
    });
    const req = telegram.requests[0]!;
    expect([req.method, req.path]).toEqual(["POST", `/bot${BOT_TOKEN}/sendMessage`]);
    expect(req.headers).toMatchObject({ "content-type": "application/json" });
    expect(req.json).toEqual({
      chat_id: -1001234567890,
      text: "certificate for example.com expires in 9 days",
      parse_mode: "HTML",
      disable_notification: true,
    });
    expect(telegram.messages).toHaveLength(1);
    expect(everythingPrinted(run)).not.toContain(BOT_TOKEN);
    expect(everythingPrinted(run)).not.toContain(BOT_TOKEN.split(":")[1]);
  });

  test("notify() reports Telegram's own error (wrong token, unknown chat) with the URL masked", async () => {
    const run = controllerHost();
    const wrong = "7212345678:AAwrongTokenValue000000000000000000";
    const r1 = await run.run(notify({ text: "x", telegram: { botToken: secret(wrong), chatId: 42, apiBase: telegram.apiBase } }));
    expect(r1.message).toBe(
      "Cannot send the message to Telegram chat 42: status 401: Unauthorized\n  hint: check the bot token, and that the bot is a member of the chat",
    );
    const r2 = await run.run(
      notify({ text: "x", telegram: { botToken: secret(BOT_TOKEN), chatId: "unknown", apiBase: telegram.apiBase } }),
    );
    expect(r2.message).toContain("status 400: Bad Request: chat not found");
    const closed = await startTelegramStandIn(BOT_TOKEN);
    await closed.close();
    const r3 = await run.run(notify({ text: "x", telegram: { botToken: secret(BOT_TOKEN), chatId: 1, apiBase: closed.apiBase } }));
    expect(r3.message).toMatch(
      new RegExp(`^Cannot send the message to POST ${closed.apiBase}/bot\\*\\*\\*/sendMessage \\(chat 1\\): .*ECONNREFUSED`),
    );
    for (const t of [BOT_TOKEN, wrong]) expect(everythingPrinted(run)).not.toContain(t);
  });

  test("notify() in check mode sends nothing to Telegram", async () => {
    const run = controllerHost({ check: true });
    expect((await run.run(notify({ text: "x", telegram: { botToken: BOT_TOKEN, chatId: 1, apiBase: telegram.apiBase } }))).status).toBe(
      "skipped",
    );
    expect(telegram.requests).toEqual([]);
  });
});

describe("notify() parameters", () => {
  test("notify() rejects bad parameters before anything is sent, naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ text: "x" }, 'give exactly one of parameters "webhook" and "telegram"'],
      [
        { text: "x", webhook: { url: "http://a" }, telegram: { botToken: BOT_TOKEN, chatId: 1 } },
        'give exactly one of parameters "webhook" and "telegram"',
      ],
      [{ text: "x", webhook: { url: "hooks.example.com/x" } }, 'parameter "webhook.url" must be an http:// or https:// URL'],
      [{ text: "x", webhook: { url: "http://a", method: "PUT" } }, 'unknown parameter "webhook.method"'],
      [{ text: "x", telegram: { botToken: "not-a-token", chatId: 1 } }, 'parameter "telegram.botToken" must look like a bot token'],
      [{ text: "x", telegram: { botToken: BOT_TOKEN } }, 'missing required parameter "telegram.chatId"'],
      [
        { text: "x", telegram: { botToken: BOT_TOKEN, chatId: 1, parseMode: "Markdown" } },
        'parameter "telegram.parseMode" must be one of "HTML", "MarkdownV2"',
      ],
      [{ text: "", webhook: { url: "http://a" } }, 'parameter "text" must NOT have fewer than 1 characters'],
    ];
    for (const [p, message] of bad) expect(() => notify(p as never)).toThrow(`Cannot use notify.send: ${message}`);
  });
});
