/** cloudflareDnsRecord: an A, AAAA or CNAME record exists in a Cloudflare zone with this content. */
import { isIPv4, isIPv6 } from "node:net";
import { defineTask, changed, unchanged, type ActionStep } from "../../core/task.js";
import { taskParams, required, optional, nonEmpty, bool, int, secretString, oneOf, type Static } from "../../core/params.js";
import { secret } from "../../core/secrets.js";
import { CLOUDFLARE_API, CloudflareApi, type CloudflareRecord } from "./cloudflare-api.js";

/** The record as it is after the task. */
export type CloudflareDnsRecordOutput = CloudflareRecord & { /** The zone's id. */ readonly zoneId: string };

const ZONE_ID = /^[0-9a-f]{32}$/;
const HOST_NAME = /^(?=.{1,253}$)(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?$/;

function clean(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/** The record's full name from the params. */
export function fullName(zone: string, name: string): string {
  const n = clean(name);
  if (ZONE_ID.test(zone)) return n;
  const z = clean(zone);
  if (n === "@") return z;
  return n === z || n.endsWith(`.${z}`) ? n : `${n}.${z}`;
}

/** Content as Cloudflare stores it: IPv6 compressed, host names lower-case without the final dot. */
export function normaliseContent(type: string, content: string): string {
  if (type === "AAAA") return new URL(`http://[${content}]/`).hostname.slice(1, -1);
  if (type === "CNAME") return clean(content);
  return content.trim();
}

function paramsProblem(p: CloudflareDnsRecordParams): string | undefined {
  const zoneById = ZONE_ID.test(p.zone);
  if (!zoneById && !HOST_NAME.test(clean(p.zone))) return `parameter "zone" must be a zone name (example.com) or a 32-character zone id`;
  if (zoneById && p.name.trim() === "@") return `parameter "name" cannot be "@" when "zone" is an id: give the full name`;
  if (p.name.trim() !== "@" && !HOST_NAME.test(clean(p.name))) return `parameter "name" must be a DNS name, got ${JSON.stringify(p.name)}`;
  if (p.type === "A" && !isIPv4(p.content))
    return `parameter "content" must be an IPv4 address for an A record, got ${JSON.stringify(p.content)}`;
  if (p.type === "AAAA" && !isIPv6(p.content))
    return `parameter "content" must be an IPv6 address for an AAAA record, got ${JSON.stringify(p.content)}`;
  if (p.type === "CNAME" && !HOST_NAME.test(clean(p.content)))
    return `parameter "content" must be a host name for a CNAME record, got ${JSON.stringify(p.content)}`;
  if (p.ttl !== undefined && p.ttl !== 1 && (p.ttl < 60 || p.ttl > 86400))
    return `parameter "ttl" must be 1 (automatic) or 60-86400 seconds, got ${p.ttl}`;
  if (p.proxied && p.ttl !== undefined && p.ttl !== 1)
    return `parameter "ttl" must be 1 (automatic) for a proxied record: Cloudflare ignores any other value`;
  if (p.apiBase !== undefined && !/^https?:\/\/\S+$/.test(p.apiBase)) return `parameter "apiBase" must be an http:// or https:// URL`;
  return undefined;
}

function describe(r: Pick<CloudflareRecord, "content" | "proxied" | "ttl">): string {
  return `${r.content} (${r.proxied ? "proxied" : "DNS only"}, ttl ${r.ttl === 1 ? "auto" : r.ttl})`;
}

/** Parameters for {@link cloudflareDnsRecord}. */
export const cloudflareDnsRecordParams = taskParams({
  zone: required(nonEmpty, "The zone: its name (`example.com`) or its 32-character id (saves one API call)."),
  name: required(nonEmpty, "Record name: a full name, `@` for the apex, or (with the zone by name) a name relative to the zone."),
  type: required(oneOf("A", "AAAA", "CNAME"), "Record type."),
  content: required(nonEmpty, "IPv4 address (A), IPv6 address (AAAA) or target host name (CNAME)."),
  proxied: optional(bool, { description: "Send traffic through Cloudflare's proxy.", default: false }),
  ttl: optional(int, { description: "TTL in seconds, 60-86400, or 1 for automatic (proxied records are always automatic).", default: 1 }),
  apiToken: required(secretString, "An API token scoped to Zone:Read and DNS:Edit on this zone; never printed."),
  apiBase: optional(nonEmpty, "API base URL (`https://api.cloudflare.com/client/v4`); point it elsewhere for tests."),
});
/** Parameters for {@link cloudflareDnsRecord}. */
export type CloudflareDnsRecordParams = Static<typeof cloudflareDnsRecordParams>;

/**
 * Ensure an A, AAAA or CNAME record in a Cloudflare zone has this content, proxied flag and TTL,
 * through the API with a scoped token, from the controller. The check reads (GET zone, GET
 * records; in check mode too); a create (POST) or update (PATCH of content, proxied, ttl — other
 * fields such as comments are kept) runs only when something differs. Several records of the
 * same name and type (round robin) are left alone when one matches; otherwise the task fails.
 * @example cloudflareDnsRecord({ zone: "example.com", name: "app", type: "A", content: "203.0.113.10", apiToken: secret(env.CF_API_TOKEN) })
 * @example cloudflareDnsRecord({ zone: "023e105f4ecef8ad9ca31a8372d0c353", name: "www.example.com", type: "CNAME", content: "app.example.com", proxied: true, apiToken: secret(env.CF_API_TOKEN) })
 */
export const cloudflareDnsRecord = defineTask<CloudflareDnsRecordParams, CloudflareDnsRecordOutput>({
  id: "dns.cloudflareRecord",
  description: "An A, AAAA or CNAME record in a Cloudflare zone has this content, proxied flag and TTL (API, from the controller).",
  title: (p) => `DNS ${p.type} ${p.name} in ${p.zone}`,
  schema: cloudflareDnsRecordParams,
  validate: paramsProblem,
  async check(host, p) {
    const api = new CloudflareApi(host, (p.apiBase ?? CLOUDFLARE_API).replace(/\/+$/, ""), secret(p.apiToken));
    const name = fullName(p.zone, p.name);
    const zoneId = ZONE_ID.test(p.zone) ? p.zone : await api.zoneId(clean(p.zone));
    const want = { content: normaliseContent(p.type, p.content), proxied: p.proxied ?? false, ttl: p.ttl ?? 1 };
    const existing = await api.records(zoneId, p.type, name);
    const same = (r: CloudflareRecord): boolean => normaliseContent(p.type, r.content) === want.content;
    const settled = (r: CloudflareRecord): boolean => same(r) && r.proxied === want.proxied && (want.proxied || r.ttl === want.ttl);
    const done = existing.find(settled);
    if (done) return unchanged(`${p.type} ${name} is ${describe(done)}`, { ...done, zoneId });
    const target = existing.length === 1 ? existing[0] : existing.find(same);
    if (!target && existing.length > 1) {
      throw host.fail(
        `Cannot set ${p.type} ${name} to ${want.content}: the zone has ${existing.length} ${p.type} records by that name (${existing.map((r) => r.content).join(", ")}) and bosun manages one`,
        "delete the extra records in the Cloudflare dashboard",
      );
    }
    const step: ActionStep = target
      ? {
          label: `PATCH /zones/${zoneId}/dns_records/${target.id}`,
          run: () => api.call<CloudflareRecord>("PATCH", `/zones/${zoneId}/dns_records/${target.id}`, want),
        }
      : {
          label: `POST /zones/${zoneId}/dns_records`,
          run: () => api.call<CloudflareRecord>("POST", `/zones/${zoneId}/dns_records`, { type: p.type, name, ...want }),
        };
    const message = target
      ? `update ${p.type} ${name}: ${describe(target)} → ${describe(want)}`
      : `create ${p.type} ${name} → ${describe(want)}`;
    return changed<CloudflareDnsRecordOutput>([step], {
      message,
      diff: {
        label: `${p.type} ${name}`,
        before: target ? { content: target.content, proxied: target.proxied, ttl: target.ttl } : undefined,
        after: want,
      },
      output: { id: target?.id ?? "", type: p.type, name, ...want, zoneId },
      finish: (results) => {
        const r = results[0] as CloudflareRecord;
        return { output: { id: r.id, type: r.type, name: r.name, content: r.content, proxied: r.proxied, ttl: r.ttl, zoneId } };
      },
    });
  },
});
