/**
 * A local HTTP server on 127.0.0.1 that stands in for an external API in tests: it records every
 * request in full (method, path, headers, body) and answers with a handler written to speak
 * exactly the endpoints bosun calls.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the stand-in received it. */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path with the query string. */
  readonly path: string;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body as text. */
  readonly body: string;
  /** Body parsed as JSON, when it is JSON. */
  readonly json?: unknown;
}

/** What the handler answers. */
export interface StandInReply {
  /** Status code (200). */
  readonly status?: number;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as text when `json` is absent. */
  readonly body?: string;
}

/** A running stand-in. */
export interface StandIn {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Every request so far, in order. */
  readonly requests: RecordedRequest[];
  /** Stop listening. */
  close(): Promise<void>;
}

/** Start a stand-in on a free loopback port. */
export async function startStandIn(handler: (req: RecordedRequest) => StandInReply | Promise<StandInReply>): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers,
        body,
        ...(json === undefined ? {} : { json }),
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded)).then(
        (reply) => {
          const text = reply.json === undefined ? (reply.body ?? "") : JSON.stringify(reply.json);
          res.writeHead(reply.status ?? 200, { "content-type": reply.json === undefined ? "text/plain" : "application/json" });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
