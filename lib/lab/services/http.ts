import http from "node:http";
import https from "node:https";

/** Options for {@link httpRequest}. */
export interface HttpRequestOptions {
  /** HTTP method (default GET). */
  readonly method?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request body. */
  readonly body?: string;
  /** PEM of the CA to trust for https URLs (instead of the system's). */
  readonly ca?: string;
  /** Give up after this many milliseconds (default 5000). */
  readonly timeoutMs?: number;
}

/** Status and body of an HTTP response. */
export interface HttpResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers (lower-case names). */
  readonly headers: http.IncomingHttpHeaders;
  /** Response body as text. */
  readonly body: string;
}

/** One HTTP(S) request to a lab service on this machine; rejects on network errors only. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: options.method ?? "GET", headers: options.headers, ca: options.ca, timeout: options.timeoutMs ?? 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`Cannot reach ${url}: no answer within ${options.timeoutMs ?? 5000} ms`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Poll `probe` until it returns true; throws `Cannot <what>: ...` after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await probe()) return;
      last = "not ready";
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`Cannot ${what}: still ${last} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
