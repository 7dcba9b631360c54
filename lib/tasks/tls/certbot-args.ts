/** Checks and command-line pieces shared by the certbot tasks. Pure, unit-tested. */
import { sh, raw, type Command } from "../../core/command.js";

/** A DNS name certbot accepts: letters, digits, hyphens, dots; a leading `*.` for a wildcard. */
const DOMAIN = /^(\*\.)?(?!-)[A-Za-z0-9-]{1,63}(\.(?!-)[A-Za-z0-9-]{1,63})*\.?$/;
/** A certbot lineage name (`--cert-name`): it becomes a directory and a file name. */
const CERT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** An environment variable name. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A message naming the parameter when a domain list is not valid. */
export function domainsProblem(domains: readonly string[]): string | undefined {
  if (!domains.length) return `parameter "domains" must name at least one domain`;
  const bad = domains.find((d) => !DOMAIN.test(d));
  if (bad !== undefined) return `parameter "domains" has an invalid name ${JSON.stringify(bad)}`;
  const seen = new Set<string>();
  for (const d of domains) {
    if (seen.has(d.toLowerCase())) return `parameter "domains" lists ${JSON.stringify(d)} twice`;
    seen.add(d.toLowerCase());
  }
  return undefined;
}

/** A message when a lineage name is not valid. */
export function certNameProblem(name: string | undefined): string | undefined {
  if (name === undefined || CERT_NAME.test(name)) return undefined;
  return `parameter "certName" must be letters, digits, dots, hyphens and underscores, got ${JSON.stringify(name)}`;
}

/** A message when an env map has a bad name or a value that cannot travel in argv. */
export function envProblem(env: Readonly<Record<string, string>> | undefined): string | undefined {
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) return `parameter "env" has an invalid variable name ${JSON.stringify(k)}`;
    if (typeof v !== "string" || v.includes("\0")) return `parameter "env" value of ${k} must be a string without NUL bytes`;
  }
  return undefined;
}

/** The lineage name certbot would pick: the first domain without `*.`. */
export function defaultCertName(domains: readonly string[]): string {
  return (domains[0] ?? "").replace(/^\*\./, "").replace(/\.$/, "").toLowerCase();
}

/** Whether two domain lists name the same set (case-insensitive, order ignored). */
export function sameDomains(a: readonly string[], b: readonly string[]): boolean {
  const norm = (l: readonly string[]) => [...new Set(l.map((d) => d.toLowerCase().replace(/\.$/, "")))].sort().join(" ");
  return norm(a) === norm(b);
}

/** `env K=V ... ` before a command (values are visible in the process list: never secrets), or nothing. */
export function envPrefix(env: Readonly<Record<string, string>> | undefined): Command {
  const words = Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
  return words.length ? sh`env ${words} ` : raw("");
}

/** Hook options (`--pre-hook`, `--post-hook`, `--deploy-hook`) for those given. */
export function hookArgs(h: { readonly preHook?: string; readonly postHook?: string; readonly deployHook?: string }): string[] {
  return [
    ...(h.preHook ? ["--pre-hook", h.preHook] : []),
    ...(h.postHook ? ["--post-hook", h.postHook] : []),
    ...(h.deployHook ? ["--deploy-hook", h.deployHook] : []),
  ];
}
