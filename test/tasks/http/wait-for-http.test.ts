/**
 * waitForHttp on this machine: the host-side loop runs under this machine's /bin/sh (dash) through
 * the local connection, with each client (curl, wget, python3), against a local HTTP(S) service;
 * the controller side uses the same service. Lab hosts run it end to end in the e2e test.
 */
import { LocalConnection } from "../../../lib/connection/local.js";
import { Host, TaskFailedError } from "../../../lib/run/host.js";
import { RunEvents } from "../../../lib/core/events.js";
import { secret } from "../../../lib/core/secrets.js";
import type { TaskCall, TaskResult } from "../../../lib/core/task.js";
import { httpWait, type HttpClient } from "../../../lib/facts/http.js";
import { toExtendedRegex } from "../../../lib/tasks/http/expectation.js";
import { waitForHttp } from "../../../lib/tasks/http/index.js";
import { removeDir, selfSignedCert, startLocalService, type LocalService } from "./local-server.js";

let web: LocalService;
let tlsWeb: LocalService;
let cert: ReturnType<typeof selfSignedCert>;
beforeAll(async () => {
  cert = selfSignedCert();
  web = await startLocalService();
  tlsWeb = await startLocalService(cert);
});
afterAll(async () => {
  await web?.close();
  await tlsWeb?.close();
  removeDir(cert.dir);
});
beforeEach(() => {
  web.ready = { status: 503, body: "starting" };
  tlsWeb.ready = { status: 200, body: "secure ok" };
});

function localHost(check = false) {
  const commands: string[] = [];
  // controller-tools: sh curl wget python3 cat date grep head mktemp rm sed sleep tail tr (httpWait's command with each client)
  const connection = new LocalConnection();
  const raw: string[] = [];
  const exec = connection.exec.bind(connection);
  connection.exec = (c) => {
    raw.push(c.text);
    return exec(c);
  };
  const events = new RunEvents();
  events.on("command", (c) => commands.push(c.text));
  const host = new Host("local", {
    vars: {},
    connection: connection,
    become: { enabled: false },
    run: { play: "t", checkMode: check, diffMode: false, tags: [], skipTags: [], events, handlers: new Map() },
  });
  const run = async <P, O>(call: TaskCall<P, O>): Promise<TaskResult<O>> => {
    try {
      return await host.run(call);
    } catch (error) {
      if (error instanceof TaskFailedError) return error.result as TaskResult<O>;
      throw error;
    }
  };
  return { host, run, commands, raw };
}

const CLIENTS: HttpClient[] = ["curl", "wget", "python3"];

describe.each(CLIENTS)("httpWait with %s, run by this machine's /bin/sh", (client) => {
  const wait = (url: string, extra: Partial<Parameters<typeof httpWait.command>[0]> = {}) =>
    localHost().host.fact(httpWait, { url, statuses: [200], timeoutSeconds: 3, intervalSeconds: 0.2, client, ...extra });

  test(`httpWait (${client}) reports ok with the status and body when the URL answers as expected`, async () => {
    web.ready = { status: 200, body: "ready: v2\n" };
    const st = await wait(`${web.url}/ready`, { body: { kind: "text", value: "v2" } });
    expect(st).toMatchObject({ outcome: "ok", status: 200, attempts: 1, client, body: "ready: v2\n" });
  });

  test(`httpWait (${client}) waits until the service turns ready`, async () => {
    setTimeout(() => (web.ready = { status: 200, body: "up" }), 800);
    const st = await wait(`${web.url}/ready`, { timeoutSeconds: 6 });
    expect(st.outcome).toBe("ok");
    expect(st.attempts).toBeGreaterThan(1);
  });

  test(`httpWait (${client}) times out reporting the last status and body`, async () => {
    const st = await wait(`${web.url}/ready`, { timeoutSeconds: 1 });
    expect(st).toMatchObject({ outcome: "timeout", status: 503, body: "starting" });
  });

  test(`httpWait (${client}) requires the body: a 200 without the expected text is not ready`, async () => {
    web.ready = { status: 200, body: "version v1" };
    expect(await wait(`${web.url}/ready`, { timeoutSeconds: 1, body: { kind: "regex", value: "v[2-9]" } })).toMatchObject({
      outcome: "timeout",
      status: 200,
    });
    expect(await wait(`${web.url}/ready`, { body: { kind: "regex", value: "VERSION V1$", ignoreCase: true } })).toMatchObject({
      outcome: "ok",
    });
  });

  test(`httpWait (${client}) reports no answer when nothing listens`, async () => {
    const closed = await startLocalService();
    const url = closed.url;
    await closed.close();
    const st = await wait(`${url}/ready`, { timeoutSeconds: 1 });
    expect(st).toMatchObject({ outcome: "timeout", status: 0 });
    expect(st.error).toMatch(/refused|couldn't connect/i);
  });

  test(`httpWait (${client}) sends headers from stdin, secret values never in the command line`, async () => {
    const { host, raw } = localHost();
    const token = "hdr-s3cr3t-4Jd9Qm2x";
    const st = await host.fact(httpWait, {
      url: `${web.url}/headers`,
      statuses: [200],
      timeoutSeconds: 3,
      intervalSeconds: 0.2,
      client,
      headers: { "X-Token": secret(token), Accept: "text/plain" },
    });
    expect(JSON.parse(st.body)).toMatchObject({ "x-token": token, accept: "text/plain" });
    expect(raw.join("\n")).not.toContain(token);
  });

  test(`httpWait (${client}) does not follow redirects`, async () => {
    expect(await wait(`${web.url}/redirect`, { statuses: [302] })).toMatchObject({ outcome: "ok", status: 302 });
  });

  test(`httpWait (${client}) verifies TLS with a CA file, refuses an unknown certificate, and accepts it with insecure`, async () => {
    expect(await wait(`${tlsWeb.url}/ready`, { caFile: cert.certFile })).toMatchObject({ outcome: "ok", status: 200, body: "secure ok" });
    const refused = await wait(`${tlsWeb.url}/ready`, { timeoutSeconds: 1 });
    expect(refused).toMatchObject({ outcome: "timeout", status: 0 });
    expect(refused.error).toMatch(/certif|verif|SSL/i);
    expect(await wait(`${tlsWeb.url}/ready`, { insecure: true })).toMatchObject({ outcome: "ok", status: 200 });
  });
});

describe("waitForHttp()", () => {
  test("waitForHttp() from the host is one command and reports ok (a gate never changes the host)", async () => {
    web.ready = { status: 200, body: "ok" };
    const { run, commands } = localHost();
    const r = await run(waitForHttp({ url: `${web.url}/ready`, body: "ok" }));
    expect(r).toMatchObject({ status: "ok", changed: false, commands: 1, output: { status: 200, body: "ok" } });
    expect(r.message).toMatch(/answered 200 from local after 1 attempt/);
    expect(commands).toEqual([`wait for ${web.url}/ready`]);
  });

  test("waitForHttp() fails after the timeout naming the URL, the expectation, what it last saw and the wait", async () => {
    const { run } = localHost();
    const r = await run(waitForHttp({ url: `${web.url}/ready`, status: [200, 204], body: "ok", timeoutSeconds: 1, intervalSeconds: 0.3 }));
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(
      new RegExp(
        `^Cannot get status 200 or 204 and a body containing "ok" from ${web.url}/ready from local within 1s: last saw status 503, body "starting" after \\d+ attempt\\(s\\)\n  hint: check the service's logs`,
      ),
    );
  });

  test("waitForHttp() is skipped in check mode, waits there with runInCheckMode", async () => {
    const check = localHost(true);
    const hits = () => web.hits.filter((h) => h === "/ready").length;
    const before = hits();
    const skipped = await check.run(waitForHttp({ url: `${web.url}/ready` }));
    expect(skipped).toMatchObject({ status: "skipped", commands: 0, message: `would wait for URL ${web.url}/ready` });
    web.ready = { status: 200, body: "" };
    expect(await check.run(waitForHttp({ url: `${web.url}/ready`, runInCheckMode: true }))).toMatchObject({ status: "ok", commands: 1 });
    expect(hits() - before).toBe(1);
  });

  test("waitForHttp() from the controller uses no remote command, matches a full JavaScript RegExp and sends headers", async () => {
    setTimeout(() => (web.ready = { status: 200, body: '{"status":"UP"}' }), 500);
    const { run, commands } = localHost();
    const r = await run(
      waitForHttp({ url: `${web.url}/ready`, body: /"status":\s*"(?=UP)/, from: "controller", intervalSeconds: 0.2, timeoutSeconds: 5 }),
    );
    expect(r).toMatchObject({ status: "ok", commands: 0, output: { status: 200 } });
    expect(commands).toEqual([]);
    const h = await run(
      waitForHttp({ url: `${web.url}/headers`, from: "controller", headers: { Authorization: secret("Bearer ctl-s3cr3t-77") } }),
    );
    // The stand-in echoes the header it received: it arrived, and the typed output masks it like every output.
    expect(JSON.parse(h.output?.body ?? "{}")).toMatchObject({ authorization: "***" });
  });

  test("waitForHttp() from the controller verifies TLS with caFile and fails clearly without it", async () => {
    const { run } = localHost();
    expect(await run(waitForHttp({ url: `${tlsWeb.url}/ready`, from: "controller", caFile: cert.certFile }))).toMatchObject({
      status: "ok",
      output: { body: "secure ok" },
    });
    const r = await run(waitForHttp({ url: `${tlsWeb.url}/ready`, from: "controller", timeoutSeconds: 0.5 }));
    expect(r.message).toMatch(/last saw no answer \(.*(self.signed|certificate).*\) after 1 attempt/);
    expect(await run(waitForHttp({ url: `${tlsWeb.url}/ready`, from: "controller", insecure: true }))).toMatchObject({ status: "ok" });
  });

  test("waitForHttp() rejects bad parameters before anything runs, naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ url: "localhost:8080/health" }, 'parameter "url" must be an http:// or https:// URL'],
      [{ status: 700 }, 'parameter "status" must be HTTP status codes'],
      [{ status: "200" }, 'parameter "status" must be a status code or a list of them, got "200"'],
      [{ body: 42 }, 'parameter "body" must be a string or a RegExp'],
      [
        { body: /(?<=v)2/ },
        'parameter "body" uses lookaround or named groups, which grep -E on the host cannot match; use from: "controller"',
      ],
      [{ body: "line\nbreak" }, 'parameter "body" cannot contain a line break when waiting from the host'],
      [{ timeoutSeconds: 0 }, 'parameter "timeoutSeconds" must be more than 0'],
      [{ intervalSeconds: 0.01 }, 'parameter "intervalSeconds" must be at least 0.1'],
      [{ headers: { "Bad Name": "x" } }, 'parameter "headers" has an invalid header name "Bad Name"'],
      [{ headers: { "X-A": "a\r\nInjected: 1" } }, 'parameter "headers.X-A" must not contain a line break'],
      [{ from: "everywhere" }, 'parameter "from" must be one of "host", "controller"'],
      [{ from: "controller", client: "curl" }, 'parameter "client" only applies with from: "host"'],
      [{ insecure: true, caFile: "/etc/ca.pem" }, 'give at most one of parameters "insecure" and "caFile"'],
      [{ expect: 200 }, 'unknown parameter "expect"'],
    ];
    for (const [extra, message] of bad) {
      expect(() => waitForHttp({ url: "http://127.0.0.1/health", ...extra } as never)).toThrow(`Cannot use http.waitForHttp: ${message}`);
    }
  });

  test("toExtendedRegex() translates \\d and (?: for grep -E and refuses lookaround", () => {
    expect(toExtendedRegex(/^v\d+(?:\.\d+)*$/)).toEqual({ value: "^v[0-9]+(\\.[0-9]+)*$" });
    expect(toExtendedRegex(/a(?!b)/).problem).toMatch(/lookaround/);
  });

  test("httpWait.parse() reads the loop's report, including a body without a final newline", () => {
    const parse = (stdout: string) => httpWait.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, undefined as never);
    expect(parse('bosun-http ok 200 3 4 curl\n\n{"a":1}')).toEqual({
      outcome: "ok",
      status: 200,
      attempts: 3,
      seconds: 4,
      client: "curl",
      error: "",
      body: '{"a":1}',
    });
    expect(parse("bosun-http timeout 000 5 10 wget\nfailed: Connection refused. \n")).toMatchObject({
      outcome: "timeout",
      status: 0,
      error: "failed: Connection refused.",
      body: "",
    });
    expect(parse("bosun-http noclient 0 0 0 -\n")).toMatchObject({ outcome: "noclient" });
    expect(() => parse("sh: 1: mktemp: not found\n")).toThrow("Cannot read the HTTP wait's output");
  });
});
