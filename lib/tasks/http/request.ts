/**
 * A small HTTP client for controller-side steps (API calls, notifications, readiness checks), on
 * node:http(s) so that a CA bundle or `insecure` can apply to one request. Redirects are not
 * followed. Header values may be Secrets; they are revealed only into the request itself.
 */
import { reveal, type Secret } from "../../core/secrets.js";

/** A header value; a Secret is sent as is and never printed. */
export type HeaderValue = string | Secret;

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  /** HTTP method (GET). */
  readonly method?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, HeaderValue>>;
  /** Request body. */
  readonly body?: string;
  /** Give up on the request after this many milliseconds (30000). */
  readonly timeoutMs?: number;
  /** Accept any TLS certificate. */
  readonly insecure?: boolean;
  /** CA certificates (PEM) to verify TLS with, instead of Node's bundle. */
  readonly ca?: string | Buffer;
  /** Keep at most this many bytes of the response body (1 MiB). */
  readonly maxBodyBytes?: number;
}

/** What the server answered. */
export interface HttpResponse {
  /** Status code. */
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body as UTF-8 text (cut at `maxBodyBytes`). */
  readonly body: string;
}

/**
 * Make one HTTP(S) request from the controller. Rejects on network errors, never on a status code.
 * node:http(s) load on the first request: most runs make none, and loading them (TLS included) is
 * about 5 ms of every start.
 */
export async function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? (await import("node:https")).default : (await import("node:http")).default;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k] = reveal(v);
  if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
  const limit = options.maxBodyBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: options.method ?? "GET",
        headers,
        timeout: options.timeoutMs ?? 30_000,
        ...(target.protocol === "https:" ? { rejectUnauthorized: !options.insecure, ...(options.ca ? { ca: options.ca } : {}) } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < limit) chunks.push(chunk.subarray(0, limit - size));
          size += chunk.length;
        });
        res.on("end", () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
          resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 30_000) / 1000}s`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A JSON API answer: the status and the parsed body (undefined when it is not JSON). */
export interface JsonResponse<T> {
  /** Status code. */
  readonly status: number;
  /** Parsed body, or undefined when the body is empty or not JSON. */
  readonly json: T | undefined;
  /** The raw body text. */
  readonly body: string;
}

/** Send (optionally) a JSON body and parse the JSON answer. */
export async function jsonRequest<T>(
  url: string,
  options: Omit<HttpRequestOptions, "body"> & { readonly json?: unknown } = {},
): Promise<JsonResponse<T>> {
  const { json, ...rest } = options;
  const headers: Record<string, HeaderValue> = {
    accept: "application/json",
    ...(json === undefined ? {} : { "content-type": "application/json" }),
    ...rest.headers,
  };
  const res = await httpRequest(url, { ...rest, headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }) });
  let parsed: T | undefined;
  try {
    parsed = res.body ? (JSON.parse(res.body) as T) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, json: parsed, body: res.body };
}

/** A short, single-line excerpt of a response body for error messages. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The message of a network error, without a stack. */
export function networkError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
