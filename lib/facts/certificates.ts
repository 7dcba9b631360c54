/**
 * Certificates on a host: days left per certificate (`openssl x509 -enddate -noout`), and
 * certbot's lineages (renewal config, names and expiry of the live certificate). Pure parsers,
 * unit-tested with sample output.
 */
import { defineFact } from "../core/fact.js";
import { raw, sh, type Command } from "../core/command.js";

/** Where certbot keeps its certificates. */
export const LETSENCRYPT_DIR = "/etc/letsencrypt";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = 86_400;

/** Parse openssl's `notAfter=Feb 20 07:43:13 2027 GMT` (the `notAfter=` prefix is optional). */
export function parseEnddate(text: string): Date | undefined {
  const m = /(?:notAfter=)?\s*([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s+GMT/.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[1] as string);
  if (month < 0) return undefined;
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])));
}

/** The DNS names of openssl's `X509v3 Subject Alternative Name:` block (`DNS:a, DNS:*.b`). */
export function parseSubjectAltNames(text: string): string[] {
  const block = /X509v3 Subject Alternative Name:[^\n]*\n\s*([^\n]*)/.exec(text);
  if (!block) return [];
  return (block[1] as string)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4));
}

/** Whole days from `now` to `notAfter` (negative when expired), rounded down. */
export function daysBetween(nowSeconds: number, notAfter: Date): number {
  return Math.floor((notAfter.getTime() / 1000 - nowSeconds) / DAY);
}

/** Days left on one certificate. */
export interface CertificateExpiry {
  /** The certbot lineage name (directory under /etc/letsencrypt/live), or the file name. */
  readonly name: string;
  /** Path of the certificate file. */
  readonly path: string;
  /** Expiry, ISO 8601; absent when the file could not be read. */
  readonly notAfter?: string;
  /** Whole days left (negative when expired); absent when the file could not be read. */
  readonly daysLeft?: number;
  /** Why the certificate could not be read. */
  readonly error?: string;
}

/** Argument of {@link certificateExpiry}. */
export interface CertificateExpiryQuery {
  /** Certificate files (PEM) to read; default every /etc/letsencrypt/live/<name>/cert.pem. */
  readonly paths?: readonly string[];
}

/** Name for a certificate path: the lineage directory for certbot's, else the file's name. */
function certName(path: string): string {
  const live = /\/live\/([^/]+)\/[^/]+$/.exec(path);
  return live ? (live[1] as string) : (path.split("/").pop() ?? path);
}

/** Parse the output of {@link certificateExpiry}'s command: `@@now`, then `@@cert <path>` + openssl output each. */
export function parseCertificateExpiry(stdout: string): CertificateExpiry[] {
  const lines = stdout.split("\n");
  const nowAt = lines.indexOf("@@now");
  const now = Number(lines[nowAt + 1]);
  if (nowAt < 0 || !Number.isFinite(now))
    throw new Error(`Cannot read certificate expiry: unexpected output ${JSON.stringify(stdout.slice(0, 120))}`);
  const out: CertificateExpiry[] = [];
  let current: { path: string; text: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.text.join("\n");
    const end = parseEnddate(text);
    const name = certName(current.path);
    out.push(
      end
        ? { name, path: current.path, notAfter: end.toISOString(), daysLeft: daysBetween(now, end) }
        : { name, path: current.path, error: text.trim().split("\n")[0] || "not a PEM certificate" },
    );
  };
  for (const line of lines.slice(nowAt + 2)) {
    if (line.startsWith("@@cert ")) {
      flush();
      current = { path: line.slice("@@cert ".length), text: [] };
    } else current?.text.push(line);
  }
  flush();
  return out;
}

/**
 * Days left per certificate: every certbot certificate under /etc/letsencrypt/live, or the given
 * files. One command (`openssl x509 -enddate -noout` each, and the host's clock).
 */
export const certificateExpiry = defineFact<CertificateExpiryQuery, CertificateExpiry[]>({
  id: "certificates.expiry",
  command: (q) => {
    const each = raw(`printf '@@cert %s\\n' "$p"; openssl x509 -enddate -noout -in "$p" 2>&1`);
    // Given paths are all reported (a missing one as an error); the default glob skips what is not there.
    return q.paths?.length
      ? sh`echo @@now; date +%s; for p in ${[...q.paths]}; do ${each}; done`
      : sh`echo @@now; date +%s; for p in ${raw(`${LETSENCRYPT_DIR}/live/*/cert.pem`)}; do if [ -e "$p" ]; then ${each}; fi; done`;
  },
  parse: (r) => {
    if (r.code !== 0) throw new Error(`Cannot read certificate expiry: ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseCertificateExpiry(r.stdout);
  },
});

/** One certbot lineage: its renewal config and the live certificate. */
export interface CertbotLineage {
  /** Lineage name (`--cert-name`). */
  readonly name: string;
  /** Names on the live certificate (subjectAltName), in order; empty when it is missing. */
  readonly domains: readonly string[];
  /** Expiry of the live certificate, ISO 8601. */
  readonly notAfter?: string;
  /** Seconds left on the live certificate (negative when expired). */
  readonly secondsLeft?: number;
  /** Whole days left. */
  readonly daysLeft?: number;
  /** `key_type` of the renewal config (ecdsa, rsa). */
  readonly keyType?: string;
  /** ACME directory the lineage was issued by (`server`). */
  readonly server?: string;
  /** `authenticator` of the renewal config. */
  readonly authenticator?: string;
  /** certbot's renewal window for it (`renew_before_expiry`, default 30 days), in days. */
  readonly renewBeforeDays: number;
}

/** certbot on a host. */
export interface CertbotState {
  /** Whether the certbot command exists. */
  readonly installed: boolean;
  /** The host's clock, seconds since the epoch. */
  readonly now: number;
  /** Lineages found (the one asked for, or all). */
  readonly lineages: readonly CertbotLineage[];
}

/** Parse certbot's `renew_before_expiry = 30 days` (also seconds, minutes, hours, weeks) into days; undefined when absent. */
export function parseRenewBefore(value: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value ?? "");
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] || "days").toLowerCase();
  const perDay: Record<string, number> = {
    s: 86400,
    sec: 86400,
    second: 86400,
    seconds: 86400,
    m: 1440,
    min: 1440,
    minute: 1440,
    minutes: 1440,
    h: 24,
    hour: 24,
    hours: 24,
    d: 1,
    day: 1,
    days: 1,
    w: 1 / 7,
    week: 1 / 7,
    weeks: 1 / 7,
  };
  const factor = perDay[unit];
  return factor === undefined ? undefined : n / factor;
}

/** The command of {@link certbotState} for one lineage or all. */
export function certbotStateCommand(name?: string): Command {
  const confs = name === undefined ? raw(`${LETSENCRYPT_DIR}/renewal/*.conf`) : sh`${`${LETSENCRYPT_DIR}/renewal/${name}.conf`}`;
  return sh`if command -v certbot >/dev/null 2>&1; then echo @@certbot; fi; if [ -d ${LETSENCRYPT_DIR}/live ] && ! [ -r ${LETSENCRYPT_DIR}/live ]; then echo @@unreadable; fi; echo @@now; date +%s; for c in ${confs}; do [ -f "$c" ] || continue; n=\${c##*/}; n=\${n%.conf}; printf '@@lineage %s\\n' "$n"; grep -E '^[[:space:]]*(key_type|server|authenticator|renew_before_expiry)[[:space:]]*=' -- "$c"; x=${LETSENCRYPT_DIR}/live/$n/cert.pem; if [ -f "$x" ]; then echo @@x509; openssl x509 -in "$x" -noout -enddate -ext subjectAltName 2>&1; fi; done`;
}

/** Parse the output of {@link certbotStateCommand}. */
export function parseCertbotState(stdout: string): CertbotState {
  const lines = stdout.split("\n");
  if (lines.includes("@@unreadable")) throw new Error("Cannot read /etc/letsencrypt/live: permission denied (run with sudo)");
  const nowAt = lines.indexOf("@@now");
  const now = Number(lines[nowAt + 1]);
  if (nowAt < 0 || !Number.isFinite(now))
    throw new Error(`Cannot read certbot's state: unexpected output ${JSON.stringify(stdout.slice(0, 120))}`);
  const lineages: CertbotLineage[] = [];
  let current: { name: string; conf: string[]; x509: string[] | undefined } | undefined;
  const flush = () => {
    if (!current) return;
    const conf = new Map(current.conf.map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1).trim()] as const));
    const x509 = current.x509?.join("\n") ?? "";
    const end = parseEnddate(x509);
    const secondsLeft = end ? Math.round(end.getTime() / 1000 - now) : undefined;
    lineages.push({
      name: current.name,
      domains: parseSubjectAltNames(x509),
      ...(end ? { notAfter: end.toISOString(), secondsLeft, daysLeft: daysBetween(now, end) } : {}),
      ...(conf.get("key_type") ? { keyType: conf.get("key_type") } : {}),
      ...(conf.get("server") ? { server: conf.get("server") } : {}),
      ...(conf.get("authenticator") ? { authenticator: conf.get("authenticator") } : {}),
      renewBeforeDays: parseRenewBefore(conf.get("renew_before_expiry")) ?? 30,
    });
  };
  for (const line of lines.slice(nowAt + 2)) {
    if (line.startsWith("@@lineage ")) {
      flush();
      current = { name: line.slice("@@lineage ".length), conf: [], x509: undefined };
    } else if (line === "@@x509" && current) current.x509 = [];
    else if (current?.x509) current.x509.push(line);
    else if (current && line.includes("=")) current.conf.push(line);
  }
  flush();
  return { installed: lines.includes("@@certbot"), now, lineages };
}

/** certbot's lineages (all, or the one named) with names and expiry of each live certificate; one command. */
export const certbotState = defineFact<{ readonly name?: string }, CertbotState>({
  id: "certificates.certbotState",
  command: (q) => certbotStateCommand(q.name),
  parse: (r) => {
    if (r.code !== 0) throw new Error(`Cannot read certbot's state: ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseCertbotState(r.stdout);
  },
});
