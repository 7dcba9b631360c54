/** What counts as "ready" for waitForHttp: status codes and a body check, and how to describe them. */
import type { BodyExpectation } from "../../facts/http.js";
import { excerpt } from "./request.js";

/** The status codes, as a list (200 when none is given). */
export function statusList(status: number | readonly number[] | undefined): readonly number[] {
  if (status === undefined) return [200];
  return typeof status === "number" ? [status] : status;
}

/**
 * A JavaScript RegExp as a POSIX extended regex for `grep -E` on the host. `\d` and `(?:` are
 * translated; what ERE cannot express (lookaround, backreferences to named groups) is refused.
 */
export function toExtendedRegex(re: RegExp): { value?: string; problem?: string } {
  const source = re.source;
  if (/\(\?(?!:)/.test(source)) return { problem: "uses lookaround or named groups, which grep -E on the host cannot match" };
  if (/\\[kpPu]/.test(source)) return { problem: `uses \\k, \\p or \\u, which grep -E on the host cannot match` };
  const value = source.replace(/\(\?:/g, "(").replace(/\\d/g, "[0-9]").replace(/\\D/g, "[^0-9]");
  return { value };
}

/** The body expectation sent to the host, from the task's `body` param. */
export function hostBodyExpectation(body: string | RegExp | undefined): BodyExpectation | undefined {
  if (body === undefined) return undefined;
  if (typeof body === "string") return { kind: "text", value: body };
  return { kind: "regex", value: toExtendedRegex(body).value ?? body.source, ignoreCase: body.flags.includes("i") };
}

/** Whether a body satisfies the expectation (controller side: full JavaScript semantics). */
export function bodyMatches(body: string, expected: string | RegExp | undefined): boolean {
  if (expected === undefined) return true;
  if (typeof expected === "string") return body.includes(expected);
  expected.lastIndex = 0;
  return expected.test(body);
}

/** "status 200 and a body containing \"ok\"", for messages. */
export function describeExpectation(statuses: readonly number[], body: string | RegExp | undefined): string {
  const codes = statuses.length === 1 ? `status ${statuses[0]}` : `status ${statuses.join(" or ")}`;
  if (body === undefined) return codes;
  return `${codes} and a body ${typeof body === "string" ? `containing ${JSON.stringify(body)}` : `matching ${String(body)}`}`;
}

/** What was last seen, for messages: `status 503, body "starting"` or `no answer (connection refused)`. */
export function describeLastSeen(status: number, body: string, error: string): string {
  if (!status) return `no answer${error ? ` (${excerpt(error)})` : ""}`;
  const text = excerpt(body);
  return `status ${status}, body ${text ? JSON.stringify(text) : "empty"}`;
}
