/** waitForHttp: a readiness gate that waits until a URL answers with the expected status and body. */
import { defineTask, skipped, unchanged } from "../../core/task.js";
import { taskParams, required, optional, typed, nonEmpty, bool, any, secretString, oneOf, record, type Static } from "../../core/params.js";
import { Secret } from "../../core/secrets.js";
import { httpWait, type HttpClient, type HttpWaitState } from "../../facts/http.js";
import { waitFromController } from "./controller-wait.js";
import { describeExpectation, describeLastSeen, hostBodyExpectation, statusList, toExtendedRegex } from "./expectation.js";

/** What the URL last answered. */
export interface WaitForHttpOutput {
  /** Status code of the last answer. */
  readonly status: number;
  /** Body of the last answer, at most 4 KiB. */
  readonly body: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function paramsProblem(p: WaitForHttpParams): string | undefined {
  if (!/^https?:\/\/[^\s]+$/.test(p.url))
    return `parameter "url" must be an http:// or https:// URL without spaces: ${JSON.stringify(p.url)}`;
  const codes: unknown = p.status;
  if (codes !== undefined && typeof codes !== "number" && !Array.isArray(codes))
    return `parameter "status" must be a status code or a list of them, got ${JSON.stringify(codes)}`;
  for (const code of statusList(p.status)) {
    if (!Number.isInteger(code) || code < 100 || code > 599)
      return `parameter "status" must be HTTP status codes (100-599), got ${JSON.stringify(p.status)}`;
  }
  if (p.body !== undefined && typeof p.body !== "string" && !(p.body instanceof RegExp))
    return `parameter "body" must be a string or a RegExp`;
  if (p.timeoutSeconds !== undefined && !(p.timeoutSeconds > 0)) return `parameter "timeoutSeconds" must be more than 0`;
  if (p.intervalSeconds !== undefined && !(p.intervalSeconds >= 0.1)) return `parameter "intervalSeconds" must be at least 0.1`;
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (!HEADER_NAME.test(name)) return `parameter "headers" has an invalid header name ${JSON.stringify(name)}`;
    if (typeof value !== "string" && !(value instanceof Secret)) return `parameter "headers.${name}" must be a string or a Secret`;
    if (/[\r\n]/.test(typeof value === "string" ? value : value.reveal()))
      return `parameter "headers.${name}" must not contain a line break`;
  }
  if (p.from === "controller" && p.client !== undefined) return `parameter "client" only applies with from: "host"`;
  if (p.from !== "controller" && p.body !== undefined) {
    if (typeof p.body === "string" && /[\r\n]/.test(p.body))
      return `parameter "body" cannot contain a line break when waiting from the host (the body is matched line by line)`;
    const problem = p.body instanceof RegExp ? toExtendedRegex(p.body).problem : undefined;
    if (problem) return `parameter "body" ${problem}; use from: "controller" for a full JavaScript RegExp`;
  }
  if (p.insecure && p.caFile !== undefined) return `give at most one of parameters "insecure" and "caFile"`;
  return undefined;
}

/** Parameters for {@link waitForHttp}. */
export const waitForHttpParams = taskParams({
  url: required(nonEmpty, "The URL to request (http or https); redirects are not followed."),
  status: optional(typed<number | readonly number[]>(any), { description: "Status code, or codes, that count as ready.", default: 200 }),
  body: optional(
    typed<string | RegExp>(any),
    "The body must contain this text, or match this RegExp (from the host: `grep -E` line by line, `i` flag honoured).",
  ),
  timeoutSeconds: optional(typed<number>({ type: "number" }), { description: "Give up after this many seconds.", default: 60 }),
  intervalSeconds: optional(typed<number>({ type: "number" }), { description: "Seconds between attempts.", default: 2 }),
  from: optional(
    oneOf("host", "controller"),
    "Where the requests come from: the target host (default, one remote command) or the controller (Node).",
  ),
  headers: optional(record(secretString), "Request headers; Secret values stay out of argv, logs and results."),
  insecure: optional(bool, "Accept any TLS certificate."),
  caFile: optional(nonEmpty, 'CA bundle to verify TLS with: a path on the host, or on the controller with `from: "controller"`.'),
  client: optional(
    typed<HttpClient>(oneOf("curl", "wget", "python3")),
    "The client on the host: curl, wget or python3 (default: the first of them the host has).",
  ),
  runInCheckMode: optional(bool, {
    description: 'Wait in check mode too (otherwise the gate is skipped with "would wait for URL").',
    default: false,
  }),
});
/** Parameters for {@link waitForHttp}. */
export type WaitForHttpParams = Static<typeof waitForHttpParams>;

/**
 * Wait until a URL answers with the expected status (and body): a readiness gate, e.g. after
 * `composeUp`. It never changes the host, so it reports ok. From the host (default) it is ONE
 * remote command that loops with curl (or wget, or python3) until success or the timeout, and
 * prints what it last saw; from the controller it requests with Node. It waits by design: the
 * command lasts up to `timeoutSeconds`. In check mode it is skipped unless `runInCheckMode`.
 * On timeout the error names the URL, the expectation, the last status and body, and the wait.
 * @example waitForHttp({ url: "http://127.0.0.1:8080/api/ready", timeoutSeconds: 120 })
 * @example waitForHttp({ url: "https://app.example.com/health", status: [200, 204], body: /"status":\s*"UP"/, from: "controller" })
 * @example waitForHttp({ url: "https://127.0.0.1/version", body: "v2", caFile: "/etc/ssl/certs/lab-ca.pem", headers: { Authorization: secret(`Bearer ${token}`) } })
 */
export const waitForHttp = defineTask<WaitForHttpParams, WaitForHttpOutput>({
  id: "http.waitForHttp",
  description: "Wait until a URL answers with the expected status and body (a readiness gate); from the host or the controller.",
  title: (p) => `wait for ${p.url}`,
  schema: waitForHttpParams,
  validate: paramsProblem,
  async check(host, p) {
    // checkMode: the wait is a probe that an earlier (unapplied) task would satisfy; runInCheckMode opts in.
    if (host.checkMode && !p.runInCheckMode) return skipped(`would wait for URL ${p.url}`);
    const statuses = statusList(p.status);
    const timeoutSeconds = p.timeoutSeconds ?? 60;
    const intervalSeconds = p.intervalSeconds ?? 2;
    const wait = { url: p.url, statuses, timeoutSeconds, intervalSeconds, insecure: p.insecure, caFile: p.caFile, headers: p.headers };
    const seen: HttpWaitState =
      p.from === "controller"
        ? await waitFromController({ ...wait, body: p.body })
        : await host.fact(httpWait, { ...wait, body: hostBodyExpectation(p.body), client: p.client ?? "auto" });
    const from = p.from === "controller" ? "from the controller" : `from ${host.name}`;
    if (seen.outcome === "noclient") {
      const which = p.client ?? "curl, wget or python3";
      throw host.fail(
        `Cannot wait for ${p.url} from ${host.name}: ${which} is not installed there`,
        `install curl (apt), or wait with from: "controller"`,
      );
    }
    const expected = describeExpectation(statuses, p.body);
    if (seen.outcome !== "ok") {
      throw host.fail(
        `Cannot get ${expected} from ${p.url} ${from} within ${timeoutSeconds}s: last saw ${describeLastSeen(seen.status, seen.body, seen.error)} after ${seen.attempts} attempt(s)`,
        `check the service's logs (it is not ready, or not listening there); raise timeoutSeconds if it needs longer to start`,
      );
    }
    const message = `${p.url} answered ${seen.status} ${from} after ${seen.attempts} attempt(s) in ${seen.seconds}s`;
    return unchanged(message, { status: seen.status, body: seen.body });
  },
});
