/**
 * A ufw rule as bosun's params describe it, turned into what ufw stores (tuples) and the ufw
 * command line that adds or deletes it. Pure functions, unit-tested without a host.
 */
import { taskParams, optional, typed, port, str, nonEmpty, oneOf, type Static } from "../../core/params.js";
import type { UfwRule } from "../../facts/ufw.js";
import { ANY_ADDRESS, parseNetwork } from "./addresses.js";

/** What a rule does to matching packets. */
export type UfwAction = "allow" | "deny" | "reject" | "limit";

/** Parameters shared by {@link ufwAllow}, {@link ufwDeny} and {@link ufwLimit}. */
export const ufwRuleParams = taskParams({
  port: optional(
    typed<number | string>({ anyOf: [port, { type: "string", minLength: 1 }] }),
    'Destination port (22) or range ("6000:6007"); every port when omitted.',
  ),
  proto: optional(oneOf("tcp", "udp", "any"), { description: "Protocol (a range needs tcp or udp).", default: "any" }),
  from: optional(nonEmpty, 'Source address or CIDR network ("203.0.113.7", "10.0.0.0/8"); anywhere when omitted.'),
  to: optional(nonEmpty, "Destination address or network on this host; any of its addresses when omitted."),
  direction: optional(oneOf("in", "out"), { description: "Traffic direction.", default: "in" }),
  comment: optional(str, "Comment stored with the rule; when omitted, an existing rule's comment is left alone."),
  state: optional(oneOf("present", "absent"), { description: "present or absent.", default: "present" }),
});
/** Parameters shared by {@link ufwAllow}, {@link ufwDeny} and {@link ufwLimit}. */
export type UfwRuleParams = Static<typeof ufwRuleParams>;

/** Parse a port param: "22" / 22 / "6000:6007"; a message when invalid. */
export function portProblem(port: number | string | undefined): string | undefined {
  if (port === undefined) return undefined;
  const text = String(port);
  const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(text);
  const valid = (n: number) => n >= 1 && n <= 65535;
  if (!m || !valid(Number(m[1])) || (m[2] !== undefined && !valid(Number(m[2])))) {
    return `parameter "port" must be a port (1-65535) or a range "low:high", got ${JSON.stringify(port)}`;
  }
  if (m[2] !== undefined && Number(m[1]) >= Number(m[2])) return `parameter "port" range ${JSON.stringify(text)} must go from low to high`;
  return undefined;
}

/** Check params JSON Schema cannot: ports, ranges with a protocol, addresses, comments. */
export function ruleProblem(p: UfwRuleParams): string | undefined {
  const port = portProblem(p.port);
  if (port) return port;
  if (p.port !== undefined && String(p.port).includes(":") && (p.proto ?? "any") === "any") {
    return `parameter "proto" must be "tcp" or "udp" with a port range (ufw requires it), got ${JSON.stringify(p.proto ?? "any")}`;
  }
  const families = new Set<string>();
  for (const name of ["from", "to"] as const) {
    const value = p[name];
    if (value === undefined) continue;
    const net = parseNetwork(value);
    if (typeof net === "string") return `parameter "${name}": ${net}`;
    families.add(net.family);
  }
  if (families.size > 1)
    return `parameters "from" and "to" must be of the same IP family, got ${JSON.stringify(p.from)} and ${JSON.stringify(p.to)}`;
  if (p.comment !== undefined && /[\n\r\0']/.test(p.comment)) return `parameter "comment" must not contain newlines or single quotes`;
  return undefined;
}

/** The IP families the rule exists in, given whether ufw manages IPv6. */
export function ruleFamilies(p: UfwRuleParams, ipv6: boolean): ("v4" | "v6")[] {
  const given = [p.from, p.to].filter((v): v is string => v !== undefined).map((v) => parseNetwork(v));
  const family = given.map((n) => (typeof n === "string" ? undefined : n.family)).find(Boolean);
  if (family) return [family];
  return ipv6 ? ["v4", "v6"] : ["v4"];
}

function addressText(value: string | undefined, family: "v4" | "v6"): string {
  if (value === undefined) return ANY_ADDRESS[family];
  const net = parseNetwork(value);
  return typeof net === "string" ? value : net.text;
}

/** The tuples ufw stores for this rule, one per family. */
export function expectedRules(action: UfwAction, p: UfwRuleParams, ipv6: boolean): UfwRule[] {
  return ruleFamilies(p, ipv6).map((family) => ({
    action,
    proto: p.proto ?? "any",
    dport: p.port === undefined ? "any" : String(p.port),
    dst: addressText(p.to, family),
    sport: "any",
    src: addressText(p.from, family),
    direction: p.direction ?? "in",
    family,
    ...(p.comment !== undefined ? { comment: p.comment } : {}),
  }));
}

/** Whether two rules are the same rule to ufw (it updates action and comment of the same rule in place). */
export function sameRule(a: UfwRule, b: UfwRule): boolean {
  return (
    a.family === b.family &&
    a.proto === b.proto &&
    a.dport === b.dport &&
    a.dst === b.dst &&
    a.sport === b.sport &&
    a.src === b.src &&
    a.direction === b.direction &&
    a.dapp === undefined &&
    a.sapp === undefined &&
    b.dapp === undefined &&
    b.sapp === undefined &&
    !a.action.startsWith("route:") &&
    !b.action.startsWith("route:")
  );
}

/** Whether `existing` is exactly `wanted` (a wanted rule without comment accepts any comment). */
export function ruleSatisfied(wanted: UfwRule, existing: UfwRule): boolean {
  return (
    sameRule(wanted, existing) && existing.action === wanted.action && (wanted.comment === undefined || existing.comment === wanted.comment)
  );
}

/** The ufw arguments after `ufw` (and `delete`): `allow in proto tcp from any to any port 22 comment x`. */
export function ruleArgs(action: UfwAction, p: UfwRuleParams, withComment: boolean): string[] {
  return [
    action,
    p.direction ?? "in",
    ...((p.proto ?? "any") === "any" ? [] : ["proto", p.proto as string]),
    "from",
    p.from ?? "any",
    "to",
    p.to ?? "any",
    ...(p.port === undefined ? [] : ["port", String(p.port)]),
    ...(withComment && p.comment !== undefined ? ["comment", p.comment] : []),
  ];
}

/** How a rule reads in messages: `allow in tcp 22 from 10.0.0.0/8`. */
export function describeRule(action: UfwAction, p: UfwRuleParams): string {
  const parts: string[] = [action, p.direction ?? "in"];
  if ((p.proto ?? "any") !== "any") parts.push(p.proto as string);
  parts.push(p.port === undefined ? "all ports" : `port ${p.port}`);
  if (p.from) parts.push(`from ${p.from}`);
  if (p.to) parts.push(`to ${p.to}`);
  return parts.join(" ");
}

/** The rules after adding `wanted` the way ufw does: the same rule is updated in place, a new one appended. */
export function rulesAfterAdd(rules: readonly UfwRule[], wanted: readonly UfwRule[]): UfwRule[] {
  const out = [...rules];
  for (const w of wanted) {
    const i = out.findIndex((r) => sameRule(r, w));
    if (i >= 0) out[i] = { ...w, comment: w.comment ?? out[i]?.comment };
    else out.push(w);
  }
  return out;
}

/** The rules after deleting `wanted` (same rule, same action). */
export function rulesAfterDelete(rules: readonly UfwRule[], wanted: readonly UfwRule[]): UfwRule[] {
  return rules.filter((r) => !wanted.some((w) => sameRule(r, w) && r.action === w.action));
}

/** A rule as one line for diffs: `allow tcp 22 from 0.0.0.0/0 to 0.0.0.0/0 in (v4) # ssh`. */
export function formatRule(r: UfwRule): string {
  const port = r.dport === "any" ? "any port" : `port ${r.dport}`;
  const app = r.dapp ? ` app ${r.dapp}` : "";
  return `${r.action} ${r.direction} ${r.proto} ${port}${app} from ${r.src} to ${r.dst} (${r.family})${r.comment !== undefined ? ` # ${r.comment}` : ""}`;
}
