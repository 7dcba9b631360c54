/** cloudflareDnsRecord against a local stand-in for the Cloudflare API (no real Cloudflare is reachable here). */
import { secret } from "../../../lib/core/secrets.js";
import { cloudflareDnsRecord } from "../../../lib/tasks/dns/index.js";
import { fullName, normaliseContent } from "../../../lib/tasks/dns/cloudflare-dns-record.js";
import { startCloudflareStandIn, type CloudflareStandIn } from "../../support/stand-ins/cloudflare.js";
import { controllerHost, everythingPrinted } from "../../support/stand-ins/controller-host.js";

const TOKEN = "cf-token-Zq8x1Lw0e6v4NfS2rT9kYb3p";
const ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353";
let cf: CloudflareStandIn;
beforeEach(async () => {
  cf = await startCloudflareStandIn(TOKEN, { "example.com": ZONE_ID, "other.org": "9a7806061c88ada191ed06f989cc3dac" });
});
afterEach(() => cf.close());

const record = (extra: Partial<Parameters<typeof cloudflareDnsRecord>[0]> = {}) =>
  cloudflareDnsRecord({
    zone: "example.com",
    name: "app",
    type: "A",
    content: "203.0.113.10",
    apiToken: secret(TOKEN),
    apiBase: cf.apiBase,
    ...extra,
  });

const expectedHeaders = { authorization: `Bearer ${TOKEN}`, accept: "application/json" };

describe("cloudflareDnsRecord() against a local stand-in for the Cloudflare API", () => {
  test("cloudflareDnsRecord() creates a missing record with exactly the requests Cloudflare documents, then is unchanged", async () => {
    const run = controllerHost();
    const applied = await run.run(record());
    expect(applied.failed ? applied.message : applied.status).toBe("changed");
    expect(applied.message).toBe("create A app.example.com → 203.0.113.10 (DNS only, ttl auto)");
    expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /client/v4/zones?name=example.com",
      `GET /client/v4/zones/${ZONE_ID}/dns_records?type=A&name=app.example.com&per_page=100`,
      `POST /client/v4/zones/${ZONE_ID}/dns_records`,
    ]);
    for (const r of cf.requests) expect(r.headers).toMatchObject(expectedHeaders);
    const post = cf.requests[2];
    expect(post?.headers["content-type"]).toBe("application/json");
    expect(post?.json).toEqual({ type: "A", name: "app.example.com", content: "203.0.113.10", proxied: false, ttl: 1 });
    expect(cf.records).toMatchObject([{ type: "A", name: "app.example.com", content: "203.0.113.10", proxied: false, ttl: 1 }]);
    expect(applied.output).toEqual({
      id: cf.records[0]?.id,
      zoneId: ZONE_ID,
      type: "A",
      name: "app.example.com",
      content: "203.0.113.10",
      proxied: false,
      ttl: 1,
    });

    const before = cf.requests.length;
    const again = await run.run(record());
    expect(again.status).toBe("ok");
    expect(cf.requests.slice(before).map((r) => r.method)).toEqual(["GET", "GET"]);
    expect(run.commands).toEqual([]);
  });

  test("cloudflareDnsRecord() in check mode only reads (GET) and reports the create it would make", async () => {
    const run = controllerHost({ check: true });
    const checked = await run.run(record());
    expect(checked.status).toBe("changed");
    expect(checked.diff).toContain('+  "content": "203.0.113.10"');
    expect(cf.requests.map((r) => r.method)).toEqual(["GET", "GET"]);
    expect(cf.records).toEqual([]);
  });

  test("cloudflareDnsRecord() updates content, proxied and ttl with PATCH (keeping the record's other fields) and skips the zone lookup given an id", async () => {
    const existing = cf.addRecord({
      zone_id: ZONE_ID,
      type: "A",
      name: "app.example.com",
      content: "198.51.100.7",
      proxied: false,
      ttl: 300,
      comment: "kept",
    });
    const run = controllerHost();
    const call = record({ zone: ZONE_ID, name: "app.example.com", proxied: true });
    const applied = await run.run(call);
    expect(applied.failed ? applied.message : applied.status).toBe("changed");
    expect(applied.message).toBe("update A app.example.com: 198.51.100.7 (DNS only, ttl 300) → 203.0.113.10 (proxied, ttl auto)");
    expect(applied.diff).toContain('-  "content": "198.51.100.7"');
    expect(cf.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /client/v4/zones/${ZONE_ID}/dns_records?type=A&name=app.example.com&per_page=100`,
      `PATCH /client/v4/zones/${ZONE_ID}/dns_records/${existing.id}`,
    ]);
    expect(cf.requests[1]?.headers).toMatchObject({ ...expectedHeaders, "content-type": "application/json" });
    expect(cf.requests[1]?.json).toEqual({ content: "203.0.113.10", proxied: true, ttl: 1 });
    expect(cf.records).toEqual([{ ...existing, content: "203.0.113.10", proxied: true, ttl: 1, comment: "kept" }]);
    expect((await run.run(call)).status).toBe("ok");
  });

  test("cloudflareDnsRecord() compares AAAA and CNAME content the way Cloudflare stores it", async () => {
    cf.addRecord({ zone_id: ZONE_ID, type: "AAAA", name: "v6.example.com", content: "2001:db8::1", proxied: false, ttl: 1 });
    cf.addRecord({ zone_id: ZONE_ID, type: "CNAME", name: "www.example.com", content: "app.example.com", proxied: true, ttl: 1 });
    const run = controllerHost();
    expect((await run.run(record({ name: "v6", type: "AAAA", content: "2001:0DB8:0:0:0:0:0:1" }))).status).toBe("ok");
    expect((await run.run(record({ name: "www.example.com.", type: "CNAME", content: "App.Example.com.", proxied: true }))).status).toBe(
      "ok",
    );
    expect(cf.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  test("cloudflareDnsRecord() leaves round-robin records alone when one matches and refuses to pick one when none does", async () => {
    cf.addRecord({ zone_id: ZONE_ID, type: "A", name: "rr.example.com", content: "192.0.2.1", proxied: false, ttl: 1 });
    cf.addRecord({ zone_id: ZONE_ID, type: "A", name: "rr.example.com", content: "192.0.2.2", proxied: false, ttl: 1 });
    const run = controllerHost();
    expect((await run.run(record({ name: "rr", content: "192.0.2.2" }))).status).toBe("ok");
    const failed = await run.run(record({ name: "rr", content: "192.0.2.3" }));
    expect(failed.failed).toBe(true);
    expect(failed.message).toContain(
      "Cannot set A rr.example.com to 192.0.2.3: the zone has 2 A records by that name (192.0.2.1, 192.0.2.2)",
    );
  });

  test("cloudflareDnsRecord() reports the API's error for a bad token, and no secret reaches results, messages or events", async () => {
    const run = controllerHost();
    const wrong = "cf-wrong-token-8fJ2kLq0zXv7";
    const failed = await run.run(record({ apiToken: secret(wrong) }));
    expect(failed.failed).toBe(true);
    expect(failed.message).toContain("Cannot GET /zones?name=example.com on the Cloudflare API: status 403: 10000 Authentication error");
    expect(failed.message).toContain("hint: check that the token is valid");
    await run.run(record());
    await run.run(record({ zone: "missing.net" })).then((r) => expect(r.message).toContain("Cannot find the Cloudflare zone missing.net"));
    const printed = everythingPrinted(run);
    expect(cf.requests.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    for (const s of [TOKEN, wrong]) expect(printed).not.toContain(s);
  });

  test("cloudflareDnsRecord() rejects bad parameters before any request, naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ content: "203.0.113.300" }, 'parameter "content" must be an IPv4 address'],
      [{ type: "AAAA", content: "203.0.113.1" }, 'parameter "content" must be an IPv6 address'],
      [{ type: "MX" }, 'parameter "type" must be one of "A", "AAAA", "CNAME"'],
      [{ ttl: 30 }, 'parameter "ttl" must be 1 (automatic) or 60-86400'],
      [{ proxied: true, ttl: 300 }, 'parameter "ttl" must be 1 (automatic) for a proxied record'],
      [{ zone: ZONE_ID, name: "@" }, 'parameter "name" cannot be "@"'],
      [{ zone: "not a zone" }, 'parameter "zone" must be a zone name'],
      [{ apiBase: "ftp://x" }, 'parameter "apiBase" must be an http'],
      [{ value: 1 }, 'unknown parameter "value"'],
    ];
    for (const [extra, message] of bad) {
      expect(() => record(extra as never)).toThrow(`Cannot use dns.cloudflareRecord: ${message}`);
    }
    expect(() => cloudflareDnsRecord({ zone: "example.com", name: "a", type: "A", content: "192.0.2.1" } as never)).toThrow(
      'missing required parameter "apiToken"',
    );
    expect(cf.requests).toEqual([]);
  });

  test("fullName() and normaliseContent() follow Cloudflare's naming", () => {
    expect(fullName("example.com", "@")).toBe("example.com");
    expect(fullName("example.com", "App")).toBe("app.example.com");
    expect(fullName("Example.com.", "app.example.com.")).toBe("app.example.com");
    expect(fullName(ZONE_ID, "x.example.com")).toBe("x.example.com");
    expect(normaliseContent("AAAA", "2001:DB8:0::0:1")).toBe("2001:db8::1");
    expect(normaliseContent("CNAME", "Target.Example.NET.")).toBe("target.example.net");
  });
});
