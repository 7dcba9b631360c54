/** Injection cases: tasks that call HTTP APIs from the controller (local stand-ins on 127.0.0.1 record what arrives) or wait for a URL from the host. */
import { type TaskCase } from "./injection-harness.js";
import {
  type CaseContext,
  ROOT,
  GITHUB_TOKEN,
  GITLAB_TOKEN,
  CLOUDFLARE_TOKEN,
  CLOUDFLARE_ZONE,
  urlTail,
  recorded,
  jsonField,
} from "./injection-kit.js";

/** The injection cases of these tasks, by task id. */
export function apiCases(ctx: CaseContext): Record<string, TaskCase> {
  const cfBase = { zone: CLOUDFLARE_ZONE, type: "A", content: "192.0.2.10", apiToken: CLOUDFLARE_TOKEN };
  return {
    "dns.cloudflareRecord": {
      fuzz: {
        zone: { params: (v, i) => ({ ...cfBase, name: `inj${i}`, zone: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        name: { params: (v) => ({ ...cfBase, name: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        content: {
          params: (v, i) => ({ ...cfBase, name: `injc${i}`, type: "CNAME", content: v, apiBase: ctx.cloudflare.apiBase }),
          apply: true,
        },
        type: { params: (v, i) => ({ ...cfBase, name: `injt${i}`, type: v, apiBase: ctx.cloudflare.apiBase }) },
        apiToken: { params: (v, i) => ({ ...cfBase, name: `inja${i}`, apiToken: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        apiBase: { params: (v, i) => ({ ...cfBase, name: `injb${i}`, apiBase: `${ctx.cloudflare.apiBase}/${urlTail(v)}` }), apply: true },
      },
    },
    "github.secret": {
      fuzz: {
        repo: { params: (v) => ({ repo: v, name: "INJ", value: "x", token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }), apply: true },
        name: { params: (v) => ({ repo: "inj/repo", name: v, value: "x", token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }), apply: true },
        value: {
          params: (v, i) => ({ repo: "inj/repo", name: `INJ_${i}`, value: v, token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }),
          nul: true,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => {
              const stored = ctx.github.secrets.get(`inj/repo/INJ_${a.index}`);
              if (!stored) return "the stand-in holds no such secret";
              const opened = ctx.github.open(stored.encryptedValue);
              return opened === a.value ? undefined : `the sealed value opens to ${JSON.stringify(opened.slice(0, 200))}`;
            },
          },
        },
        token: {
          params: (v, i) => ({ repo: "inj/repo", name: `INJ_T${i}`, value: "x", token: v, apiBase: ctx.github.apiBase }),
          apply: true,
        },
        apiBase: {
          params: (v, i) => ({
            repo: "inj/repo",
            name: `INJ_B${i}`,
            value: "x",
            token: GITHUB_TOKEN,
            apiBase: `${ctx.github.apiBase}/${urlTail(v)}`,
          }),
          apply: true,
        },
      },
      excused: { stateFile: "a file on the controller, read and written with node:fs (never a shell or a host)" },
    },
    "gitlab.variable": {
      fuzz: {
        project: { params: (v, i) => ({ ...glBase(ctx), key: `INJ_P${i}`, project: v }), apply: true },
        key: { params: (v) => ({ ...glBase(ctx), key: v }), apply: true },
        value: {
          // Hostile values cannot be masked (GitLab's rule): unmasked, so the stand-in stores them as given.
          params: (v, i) => ({ ...glBase(ctx), key: `INJ_V${i}`, value: v, masked: false }),
          nul: true,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => {
              const stored = ctx.gitlab.variable("inj/repo", `INJ_V${a.index}`);
              if (!stored) return "the stand-in holds no such variable";
              return stored.value === a.value ? undefined : `the stored value is ${JSON.stringify(stored.value.slice(0, 200))}`;
            },
          },
        },
        token: { params: (v, i) => ({ ...glBase(ctx), key: `INJ_T${i}`, token: v }), apply: true },
        environmentScope: { params: (v, i) => ({ ...glBase(ctx), key: `INJ_S${i}`, environmentScope: v }), apply: true },
        apiBase: { params: (v, i) => ({ ...glBase(ctx), key: `INJ_B${i}`, apiBase: `${ctx.gitlab.apiBase}/${urlTail(v)}` }), apply: true },
        variableType: { params: (v, i) => ({ ...glBase(ctx), key: `INJ_Y${i}`, variableType: v }) },
      },
    },
    "notify.send": {
      fuzz: {
        text: {
          params: (v, i) => ({ text: v, webhook: { url: `${ctx.recorder.url}/text/${i}` } }),
          nul: true,
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/text/${a.index}`), "text", a.value) },
        },
        "webhook.url": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/url/${i}/${v}` } }),
          shape: urlTail,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => (recorded(ctx, `/url/${a.index}/`) ? undefined : "no request reached the stand-in at that path"),
          },
        },
        // A header name is a token: Node refuses every one of these before sending anything.
        "webhook.headers{}": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/hname/${i}`, headers: { [v]: "x" } } }),
          apply: true,
        },
        "webhook.headers.*": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/hvalue/${i}`, headers: { "X-Inj": v } } }),
          apply: true,
          observe: {
            kind: "custom",
            // HTTP drops optional whitespace around a field value; anything else must arrive as given.
            check: (a) => {
              // The stand-in decodes header bytes as latin1: the bytes must be the value's UTF-8.
              const got = recorded(ctx, `/hvalue/${a.index}`)?.headers["x-inj"];
              const want = Buffer.from(a.value.replace(/^[ \t]+|[ \t]+$/g, ""), "utf8");
              return got !== undefined && Buffer.from(got, "latin1").equals(want) ? undefined : `header arrived as ${JSON.stringify(got)}`;
            },
          },
        },
        "webhook.extra{}": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/xkey/${i}`, extra: { [v]: "x" } } }),
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/xkey/${a.index}`), a.value, a.value === "text" ? "t" : "x") },
        },
        "webhook.extra.*": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/xval/${i}`, extra: { inj: v } } }),
          nul: true,
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/xval/${a.index}`), "inj", a.value) },
        },
        "telegram.botToken": {
          params: (v) => ({ text: "t", telegram: { botToken: v, chatId: 1, apiBase: ctx.recorder.url } }),
          apply: true,
        },
        "telegram.chatId": {
          params: (v, i) => ({ text: "t", telegram: { botToken: "123456:ABCdef", chatId: v, apiBase: `${ctx.recorder.url}/chat${i}` } }),
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/chat${a.index}/`), "chat_id", a.value) },
        },
        "telegram.apiBase": {
          params: (v, i) => ({
            text: "t",
            telegram: { botToken: "123456:ABCdef", chatId: 1, apiBase: `${ctx.recorder.url}/tg/${i}/${v}` },
          }),
          shape: urlTail,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => (recorded(ctx, `/tg/${a.index}/`) ? undefined : "no request reached the stand-in at that path"),
          },
        },
        "telegram.parseMode": {
          params: (v) => ({ text: "t", telegram: { botToken: "123456:ABCdef", chatId: 1, apiBase: ctx.recorder.url, parseMode: v } }),
        },
      },
    },
    "http.waitForHttp": {
      fuzz: {
        url: {
          params: (v, i) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/?w${i}&${v}`, timeoutSeconds: 2, intervalSeconds: 0.2 }),
          apply: true,
        },
        "body?": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, body: v, timeoutSeconds: 0.3, intervalSeconds: 0.1 }),
          runs: 8,
          apply: true,
        },
        "headers{}": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, headers: { [v]: "x" }, timeoutSeconds: 2 }),
          apply: true,
        },
        "headers.*": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, headers: { "X-Inj": v }, timeoutSeconds: 2 }),
          apply: true,
        },
        caFile: {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, caFile: `${ROOT}/ca/${v}`, timeoutSeconds: 2 }),
          apply: true,
        },
        from: { params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, from: v }) },
        client: { params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, client: v }) },
      },
      excused: { "status?": "status codes: numbers, checked to be 100-599" },
    },
  };
}

/** A gitlabVariable call on the GitLab stand-in, before the slot under test. */
function glBase(ctx: CaseContext): { project: string; key: string; value: string; token: string; apiBase: string } {
  return { project: "inj/repo", key: "INJ", value: "x-value-ok", token: GITLAB_TOKEN, apiBase: ctx.gitlab.apiBase };
}
