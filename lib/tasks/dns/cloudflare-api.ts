/** The few Cloudflare API v4 calls cloudflareDnsRecord makes: zone lookup, record list, create, update. */
import type { TaskHost } from "../../core/task.js";
import { secret, type Secret } from "../../core/secrets.js";
import { excerpt, jsonRequest, networkError } from "../http/request.js";

/** Cloudflare's public API. */
export const CLOUDFLARE_API = "https://api.cloudflare.com/client/v4";

/** A DNS record as Cloudflare returns it (the fields bosun reads). */
export interface CloudflareRecord {
  /** Record id. */
  readonly id: string;
  /** A, AAAA, CNAME... */
  readonly type: string;
  /** Full name. */
  readonly name: string;
  /** Address or target. */
  readonly content: string;
  /** Whether traffic goes through Cloudflare's proxy. */
  readonly proxied: boolean;
  /** TTL in seconds; 1 is automatic. */
  readonly ttl: number;
}

interface Envelope<T> {
  readonly success?: boolean;
  readonly errors?: readonly { readonly code?: number; readonly message?: string }[];
  readonly result?: T;
}

/** A client bound to one API base and token; every call fails the task with the API's own error. */
export class CloudflareApi {
  readonly #auth: Secret;
  constructor(
    private readonly host: TaskHost,
    private readonly base: string,
    token: Secret,
  ) {
    this.#auth = secret(`Bearer ${token.reveal()}`);
  }

  /** Call `METHOD path` and return the envelope's result. */
  async call<T>(method: string, path: string, json?: unknown): Promise<T> {
    const what = `${method} ${path}`;
    let res;
    try {
      res = await jsonRequest<Envelope<T>>(`${this.base}${path}`, {
        method,
        json,
        headers: { authorization: this.#auth },
        timeoutMs: 30_000,
      });
    } catch (error) {
      throw this.host.fail(
        `Cannot call the Cloudflare API (${what}): ${networkError(error)}`,
        "check apiBase and that the controller can reach it",
      );
    }
    const env = res.json;
    if (res.status < 200 || res.status > 299 || !env || env.success !== true) {
      const errors = (env?.errors ?? []).map((e) => `${e.code ?? "?"} ${e.message ?? ""}`.trim()).join("; ") || excerpt(res.body);
      const hint =
        res.status === 401 || res.status === 403 ? "check that the token is valid and has Zone:Read and DNS:Edit on this zone" : undefined;
      throw this.host.fail(`Cannot ${what} on the Cloudflare API: status ${res.status}: ${errors}`, hint);
    }
    return env.result as T;
  }

  /** The id of the zone with this name. */
  async zoneId(name: string): Promise<string> {
    const zones = await this.call<readonly { id: string; name: string }[]>("GET", `/zones?name=${encodeURIComponent(name)}`);
    const zone = zones.find((z) => z.name.toLowerCase() === name);
    if (!zone)
      throw this.host.fail(
        `Cannot find the Cloudflare zone ${name}: the token sees no zone by that name`,
        "check the zone name, or give the zone's id",
      );
    return zone.id;
  }

  /** The records of this type and exact name (filtered here too, whatever the API's filter does). */
  async records(zoneId: string, type: string, name: string): Promise<CloudflareRecord[]> {
    const query = `type=${encodeURIComponent(type)}&name=${encodeURIComponent(name)}&per_page=100`;
    const all = await this.call<readonly CloudflareRecord[]>("GET", `/zones/${zoneId}/dns_records?${query}`);
    return all.filter((r) => r.type === type && r.name.toLowerCase() === name);
  }
}
