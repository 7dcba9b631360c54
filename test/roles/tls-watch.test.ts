import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { secret } from "../../lib/core/secrets.js";
import { parseLastResult } from "../../roles/tls-watch/last-result.js";
import { tlsWatchConfig } from "../../roles/tls-watch/index.js";

describe("tlsWatchConfig()", () => {
  test("writes threshold, label and channel as sh assignments, never the token", () => {
    const text = tlsWatchConfig(
      {
        alertDays: 14,
        channel: { kind: "telegram", botToken: secret("123:ABCsecretTOKEN"), chatId: -1001, apiBase: "https://tg.example/" },
      },
      "cfa2 'prod'",
    );
    expect(text).toContain("ALERT_DAYS=14\n");
    expect(text).toContain("HOST_LABEL='cfa2 '\\''prod'\\'''\n");
    expect(text).toContain("CHANNEL=telegram\n");
    expect(text).toContain("CHAT_ID_JSON=-1001\n");
    expect(text).toContain("API_BASE=https://tg.example\n");
    expect(text).not.toContain("ABCsecretTOKEN");
  });

  test("a webhook config holds no URL, and no channel says none", () => {
    expect(
      tlsWatchConfig({ alertDays: 7, channel: { kind: "webhook", url: secret("https://hooks.example/T0/SECRET") } }, "h"),
    ).not.toContain("hooks.example");
    expect(tlsWatchConfig({ alertDays: 7 }, "h")).toContain("CHANNEL=none\n");
  });

  test("the config is read back by sh as written", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-tls-watch-"));
    try {
      const file = path.join(dir, "watch.conf");
      writeFileSync(
        file,
        tlsWatchConfig({ alertDays: 3, channel: { kind: "telegram", botToken: "1:x", chatId: "@ops chan" } }, `we"ird $host`),
      );
      // controller-tools: sh printf (the config is sh assignments, read back by sh)
      const out = execFileSync(
        "sh",
        ["-c", `. "$1"; printf '%s|%s|%s|%s' "$ALERT_DAYS" "$HOST_LABEL" "$CHANNEL" "$CHAT_ID_JSON"`, "sh", file],
        {
          encoding: "utf8",
        },
      );
      expect(out).toBe(`3|we"ird $host|telegram|"@ops chan"`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseLastResult()", () => {
  test("reads the record and systemd's result", () => {
    const last = parseLastResult(
      "time=2026-12-07T06:12:40Z\nstatus=alert-failed\nsummary=1 below 14 days, the alert could not be sent (webhook): a: 3 day(s) left\nResult=exit-code\n",
    );
    expect(last).toEqual({
      ran: true,
      time: "2026-12-07T06:12:40Z",
      status: "alert-failed",
      systemdResult: "exit-code",
      summary:
        "last expiry check 2026-12-07T06:12:40Z: alert-failed (systemd: exit-code): 1 below 14 days, the alert could not be sent (webhook): a: 3 day(s) left",
    });
  });

  test("says when the timer has not run", () => {
    expect(parseLastResult("Result=success\n")).toMatchObject({ ran: false, summary: "the expiry timer has not run yet" });
  });
});
