/** The controller side of waitForHttp: request the URL from this machine until it answers as expected. */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Secret } from "../../core/secrets.js";
import type { HttpWaitState } from "../../facts/http.js";
import { BODY_EXCERPT_BYTES } from "../../facts/http.js";
import { bodyMatches } from "./expectation.js";
import { httpRequest, networkError } from "./request.js";

/** What {@link waitFromController} needs. */
export interface ControllerWait {
  /** URL to request. */
  readonly url: string;
  /** Status codes that count as ready. */
  readonly statuses: readonly number[];
  /** Text the body must contain, or a RegExp it must match. */
  readonly body?: string | RegExp;
  /** Give up after this many seconds. */
  readonly timeoutSeconds: number;
  /** Seconds between attempts. */
  readonly intervalSeconds: number;
  /** Accept any TLS certificate. */
  readonly insecure?: boolean;
  /** CA bundle on the controller. */
  readonly caFile?: string;
  /** Request headers. */
  readonly headers?: Readonly<Record<string, string | Secret>>;
}

/** Request the URL until it answers as expected or the timeout passes; never throws for HTTP or network errors. */
export async function waitFromController(w: ControllerWait): Promise<HttpWaitState> {
  const ca = w.caFile === undefined ? undefined : await readFile(w.caFile);
  const started = Date.now();
  const deadline = started + w.timeoutSeconds * 1000;
  let attempts = 0;
  let last = { status: 0, body: "", error: "" };
  for (;;) {
    attempts++;
    const timeoutMs = Math.max(1000, Math.min(10_000, deadline - Date.now()));
    try {
      const res = await httpRequest(w.url, { headers: w.headers, insecure: w.insecure, ca, timeoutMs });
      last = { status: res.status, body: res.body, error: "" };
    } catch (error) {
      last = { status: 0, body: "", error: networkError(error) };
    }
    const ok = last.status !== 0 && w.statuses.includes(last.status) && bodyMatches(last.body, w.body);
    const seconds = Math.round((Date.now() - started) / 1000);
    const state = {
      status: last.status,
      attempts,
      seconds,
      client: "node",
      error: last.error,
      body: Buffer.from(last.body).subarray(0, BODY_EXCERPT_BYTES).toString("utf8"),
    };
    if (ok) return { outcome: "ok", ...state };
    if (Date.now() + w.intervalSeconds * 1000 > deadline) return { outcome: "timeout", ...state };
    await sleep(w.intervalSeconds * 1000);
  }
}
