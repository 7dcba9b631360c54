/**
 * A local stand-in for the Cloudflare API v4 (the calls cloudflareDnsRecord makes): zone lookup
 * by name, DNS record list filtered by type and name, create (POST) and update (PATCH), with
 * Bearer-token auth and Cloudflare's `{ success, errors, messages, result }` envelope.
 */
import { randomBytes } from "node:crypto";
import { startStandIn, type RecordedRequest, type StandIn, type StandInReply } from "./server.js";

/** A DNS record held by the stand-in. */
export interface StandInRecord {
  id: string;
  zone_id: string;
  type: string;
  name: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment?: string;
}

/** The stand-in and its state. */
export interface CloudflareStandIn extends StandIn {
  /** `apiBase` to give the task. */
  readonly apiBase: string;
  /** Zones by id. */
  readonly zones: Map<string, string>;
  /** Every record. */
  readonly records: StandInRecord[];
  /** Add a record directly (test setup). */
  addRecord(record: Omit<StandInRecord, "id">): StandInRecord;
}

const ok = (result: unknown): StandInReply => ({ json: { success: true, errors: [], messages: [], result } });
const fail = (status: number, code: number, message: string): StandInReply => ({
  status,
  json: { success: false, errors: [{ code, message }], messages: [], result: null },
});

/** Start a Cloudflare stand-in that accepts `token` and knows `zones` (name → id). */
export async function startCloudflareStandIn(token: string, zones: Record<string, string>): Promise<CloudflareStandIn> {
  const byId = new Map(Object.entries(zones).map(([name, id]) => [id, name]));
  const records: StandInRecord[] = [];
  const newId = () => randomBytes(16).toString("hex");
  const handle = (req: RecordedRequest): StandInReply => {
    if (req.headers.authorization !== `Bearer ${token}`) return fail(403, 10000, "Authentication error");
    const url = new URL(req.path, "http://stand-in");
    const q = url.searchParams;
    const parts = url.pathname
      .replace(/^\/client\/v4/, "")
      .split("/")
      .filter(Boolean);
    if (req.method === "GET" && parts.length === 1 && parts[0] === "zones") {
      return ok(
        [...byId].filter(([, name]) => !q.get("name") || name === q.get("name")).map(([id, name]) => ({ id, name, status: "active" })),
      );
    }
    if (parts[0] !== "zones" || parts[2] !== "dns_records") return fail(404, 7003, "Could not route to " + url.pathname);
    const zoneId = parts[1] ?? "";
    if (!byId.has(zoneId)) return fail(404, 7003, "Could not route to /zones/" + zoneId);
    const body = (req.json ?? {}) as Partial<StandInRecord>;
    if (req.method === "GET" && parts.length === 3) {
      const name = q.get("name") ?? q.get("name.exact");
      return ok(records.filter((r) => r.zone_id === zoneId && (!q.get("type") || r.type === q.get("type")) && (!name || r.name === name)));
    }
    if (req.method === "POST" && parts.length === 3) {
      if (!body.type || !body.name || !body.content) return fail(400, 9000, "DNS name, type and content are required");
      const record = {
        id: newId(),
        zone_id: zoneId,
        type: body.type,
        name: body.name,
        content: body.content,
        proxied: !!body.proxied,
        ttl: body.proxied ? 1 : (body.ttl ?? 1),
      };
      records.push(record);
      return ok(record);
    }
    const record = records.find((r) => r.id === parts[3] && r.zone_id === zoneId);
    if (req.method === "PATCH" && parts.length === 4 && record) {
      Object.assign(record, body);
      if (record.proxied) record.ttl = 1;
      return ok(record);
    }
    return fail(404, 81044, "Record does not exist.");
  };
  const server = await startStandIn(handle);
  return {
    ...server,
    apiBase: `${server.url}/client/v4`,
    zones: byId,
    records,
    addRecord(record) {
      const full = { id: newId(), ...record };
      records.push(full);
      return full;
    },
  };
}
