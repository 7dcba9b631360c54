import { secret } from "../../lib/core/secrets.js";
import { announceTarget, announcementText, errorSummary, failureEvent } from "../../playbooks/deploy/announce.js";

describe("deploy announcements", () => {
  test("announceTarget() reads a webhook or a Telegram chat, and nothing when neither is set", () => {
    expect(announceTarget({})).toBeUndefined();
    const hook = announceTarget({ deploy_announce_webhook: "https://chat.example.org/hooks/abc" });
    expect(hook && "webhook" in hook && hook.webhook.url.reveal()).toBe("https://chat.example.org/hooks/abc");
    const tg = announceTarget({ deploy_announce_telegram: { bot_token: secret("123456:ABC-announce"), chat_id: "@ops" } });
    expect(tg && "telegram" in tg && tg.telegram.chatId).toBe("@ops");
  });

  test.each([
    [{ deploy_announce_webhook: "https://a", deploy_announce_telegram: { bot_token: "1:x", chat_id: 1 } }, /exclude each other/],
    [{ deploy_announce_webhook: 42 }, /must be a URL/],
    [{ deploy_announce_telegram: { bot_token: "1:x" } }, /needs bot_token and chat_id/],
  ])("announceTarget(%j) refuses a malformed setting, naming it", (vars, message) => {
    expect(() => announceTarget(vars, "cfa2")).toThrow(message);
  });

  test("announcementText() names the release, the host, who and how long, for each event", () => {
    const base = { tag: "sha-abc123", host: "cfa2", who: "ci@runner", durationMs: 41_400 };
    expect(announcementText({ ...base, event: "start" })).toBe("deploy of sha-abc123 to cfa2 started by ci@runner");
    expect(
      announcementText({ ...base, event: "success", digests: { app: "registry.example.org/cfa/app@sha256:0123456789abcdef0123" } }),
    ).toBe("cfa2 runs sha-abc123 (app@0123456789ab): deployed by ci@runner in 41 s");
    expect(announcementText({ ...base, event: "rollback", reason: "app is not ready" })).toBe(
      "deploy of sha-abc123 to cfa2 by ci@runner rolled back after 41 s: app is not ready",
    );
    expect(announcementText({ ...base, event: "failure", reason: "the migrator failed" })).toBe(
      "deploy of sha-abc123 to cfa2 by ci@runner failed after 41 s: the migrator failed",
    );
  });

  test("a failure that rolled the host back is announced as a rollback, with the error's first line", () => {
    const rolled = new Error("Cannot deploy broken: app is not ready. Rolled back to v2: it is ready again\nmore");
    expect(failureEvent(rolled)).toBe("rollback");
    expect(failureEvent(new Error("Cannot deploy broken: the migrator failed. Nothing switched"))).toBe("failure");
    expect(errorSummary(rolled)).toBe("Cannot deploy broken: app is not ready. Rolled back to v2: it is ready again");
  });
});
