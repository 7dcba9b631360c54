/**
 * sshd settings as a typed map: rendering a drop-in from it, checking keywords and values, and
 * finding settings that another file overrides (sshd keeps the first value it reads for a keyword).
 */
import type { SshdEffective } from "../../facts/sshd.js";

type YesNo = "yes" | "no" | boolean;

/** A value of an sshd keyword: booleans become yes/no; a list repeats the keyword or joins with spaces (Allow/Deny lists). */
export type SshdValue = string | number | boolean | readonly (string | number)[];

/** sshd keywords with typed values; any other keyword is accepted too (checked by `sshd -t`). */
export interface SshdKnownSettings {
  /** `prohibit-password`: root by key only; `no`: never. */
  readonly PermitRootLogin?: "yes" | "no" | "prohibit-password" | "forced-commands-only";
  /** Password login. */
  readonly PasswordAuthentication?: YesNo;
  /** Keyboard-interactive (PAM) login, which can also ask for a password. */
  readonly KbdInteractiveAuthentication?: YesNo;
  /** Public key login. */
  readonly PubkeyAuthentication?: YesNo;
  /** Accounts with an empty password may log in. */
  readonly PermitEmptyPasswords?: YesNo;
  /** X11 forwarding. */
  readonly X11Forwarding?: YesNo;
  /** TCP forwarding. */
  readonly AllowTcpForwarding?: YesNo | "local" | "remote" | "all";
  /** Agent forwarding. */
  readonly AllowAgentForwarding?: YesNo;
  /** Authentication attempts per connection. */
  readonly MaxAuthTries?: number;
  /** Seconds (or `2m`) to authenticate. */
  readonly LoginGraceTime?: number | string;
  /** Seconds between keep-alive probes. */
  readonly ClientAliveInterval?: number;
  /** Keep-alive probes without answer before disconnecting. */
  readonly ClientAliveCountMax?: number;
  /** Only these users (patterns) may log in. */
  readonly AllowUsers?: string | readonly string[];
  /** These users (patterns) may not log in. */
  readonly DenyUsers?: string | readonly string[];
  /** Only members of these groups may log in. */
  readonly AllowGroups?: string | readonly string[];
  /** Members of these groups may not log in. */
  readonly DenyGroups?: string | readonly string[];
  /** Where public keys are read from (`.ssh/authorized_keys`, `%h`, `%u`). */
  readonly AuthorizedKeysFile?: string | readonly string[];
  /** Required method lists, e.g. `publickey,password`. */
  readonly AuthenticationMethods?: string | readonly string[];
  /** PAM. */
  readonly UsePAM?: YesNo;
  /** Log level (`INFO`, `VERBOSE`). */
  readonly LogLevel?: string;
}

/** A drop-in's settings: typed known keywords, and any other keyword. */
export type SshdSettings = SshdKnownSettings & { readonly [keyword: string]: SshdValue | undefined };

/** Keywords whose list values go on one line, separated by spaces. */
const ONE_LINE_LISTS = new Set([
  "allowusers",
  "denyusers",
  "allowgroups",
  "denygroups",
  "authorizedkeysfile",
  "authenticationmethods",
  "acceptenv",
]);
/** Keywords a drop-in of settings cannot hold. */
const REFUSED = new Set(["match", "include"]);

function text(value: string | number | boolean): string {
  return typeof value === "boolean" ? (value ? "yes" : "no") : String(value);
}

/** The settings' entries with a value, in the order given. */
function entries(settings: SshdSettings): [string, SshdValue][] {
  return Object.entries(settings).filter((e): e is [string, SshdValue] => e[1] !== undefined);
}

/** A problem with the settings, naming the parameter, or undefined. */
export function sshdSettingsProblem(settings: SshdSettings): string | undefined {
  const list = entries(settings);
  if (!list.length) return `parameter "settings" must hold at least one keyword`;
  const seen = new Set<string>();
  for (const [key, value] of list) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) return `parameter "settings" has an invalid keyword ${JSON.stringify(key)}`;
    if (REFUSED.has(key.toLowerCase()))
      return `parameter "settings" cannot hold "${key}" (a drop-in of settings applies to every connection)`;
    if (seen.has(key.toLowerCase())) return `parameter "settings" names "${key}" twice (keywords are case-insensitive)`;
    seen.add(key.toLowerCase());
    const values = Array.isArray(value) ? (value as readonly (string | number)[]) : [value as string | number | boolean];
    if (!values.length) return `parameter "settings.${key}" must not be an empty list`;
    for (const v of values) {
      if (!["string", "number", "boolean"].includes(typeof v))
        return `parameter "settings.${key}" must be a string, number, boolean or a list of them`;
      if (text(v).trim() === "" || /[\n\r#]/.test(text(v)))
        return `parameter "settings.${key}" must be non-empty, on one line, without "#": ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}

/** The drop-in text for the settings, in the order given. */
export function renderSshdDropIn(name: string, settings: SshdSettings): string {
  const lines = entries(settings).flatMap(([key, value]) => {
    if (!Array.isArray(value)) return [`${key} ${text(value as string | number | boolean)}`];
    const values = (value as readonly (string | number)[]).map(text);
    return ONE_LINE_LISTS.has(key.toLowerCase()) ? [`${key} ${values.join(" ")}`] : values.map((v) => `${key} ${v}`);
  });
  return `# Managed by bosun (access.sshdConfig "${name}"); edits are overwritten.\n# sshd keeps the first value it reads for a keyword: this file wins over files that sort after it.\n${lines.join("\n")}\n`;
}

function normalise(value: string): string {
  const v = value.trim().toLowerCase().replace(/\s+/g, " ");
  return v === "without-password" ? "prohibit-password" : v;
}

/** Settings whose effective value differs from the one given (another file sets it first), as `Keyword "actual", not "wanted"`. */
export function overriddenSettings(settings: SshdSettings, effective: SshdEffective): string[] {
  const out: string[] = [];
  for (const [key, value] of entries(settings)) {
    if (Array.isArray(value)) continue;
    const wanted = normalise(text(value as string | number | boolean));
    // Only simple values compare reliably with `sshd -T`, which rewrites times, lists and paths.
    if (!/^(yes|no|prohibit-password|forced-commands-only|local|remote|all|\d+)$/.test(wanted)) continue;
    const actual = effective.get(key.toLowerCase());
    if (actual?.length !== 1) continue;
    if (normalise(actual[0] as string) !== wanted) out.push(`${key} "${actual[0]}", not "${text(value as string | number | boolean)}"`);
  }
  return out;
}

/** Keywords whose effective values differ between two configurations, as `keyword old → new`. */
export function effectiveChanges(before: SshdEffective, after: SshdEffective): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  const out: string[] = [];
  for (const key of keys) {
    const a = (before.get(key) ?? []).join(", ");
    const b = (after.get(key) ?? []).join(", ");
    if (a !== b) out.push(`${key} ${a || "(unset)"} → ${b || "(unset)"}`);
  }
  return out;
}
