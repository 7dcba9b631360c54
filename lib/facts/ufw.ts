/**
 * ufw's own state, read without its Python front end (which costs over a second per call): the
 * rule tuples ufw keeps in /etc/ufw/user.rules and user6.rules, the default policies in
 * /etc/default/ufw, ENABLED in /etc/ufw/ufw.conf (what `ufw status` reports), whether its chains
 * are loaded, and the SSH connection the probe runs over (to never cut it).
 */
import { defineFact } from "../core/fact.js";
import { raw } from "../core/command.js";

/** A ufw policy word. */
export type UfwPolicy = "allow" | "deny" | "reject";

/** The direction a default policy applies to. */
export type UfwDirection = "incoming" | "outgoing" | "routed";

/** One rule as ufw stores it (a `### tuple ###` line of user.rules or user6.rules). */
export interface UfwRule {
  /** allow, deny, reject or limit (`route:` prefix for routed rules; `_log`/`_log-all` suffix when logged). */
  readonly action: string;
  /** tcp, udp, any (or another protocol name). */
  readonly proto: string;
  /** Destination port: "any", "22", "6000:6007" or "80,443". */
  readonly dport: string;
  /** Destination address: "0.0.0.0/0" or "::/0" for any. */
  readonly dst: string;
  /** Source port. */
  readonly sport: string;
  /** Source address or network: "0.0.0.0/0" or "::/0" for any. */
  readonly src: string;
  /** "in" or "out", with `_<interface>` when the rule names one. */
  readonly direction: string;
  /** Destination application profile, when the rule was added by name. */
  readonly dapp?: string;
  /** Source application profile. */
  readonly sapp?: string;
  /** The rule's comment (decoded). */
  readonly comment?: string;
  /** Which file holds it: user.rules (v4) or user6.rules (v6). */
  readonly family: "v4" | "v6";
}

/** The endpoints of the SSH connection a command runs over (`$SSH_CONNECTION`). */
export interface SshEndpoint {
  /** The client's address. */
  readonly clientIp: string;
  /** The client's port. */
  readonly clientPort: number;
  /** The server's address the client connected to. */
  readonly serverIp: string;
  /** The server-side port (in a container lab, the container's port, not the published one). */
  readonly serverPort: number;
}

/** ufw as installed (or not) on a host. */
export type UfwState =
  | { readonly installed: false }
  | {
      readonly installed: true;
      /** ENABLED=yes in /etc/ufw/ufw.conf: what `ufw status` calls active. */
      readonly enabled: boolean;
      /** ufw's chains are loaded in the kernel. */
      readonly running: boolean;
      /** IPV6=yes in /etc/default/ufw: rules without addresses are added for IPv6 too. */
      readonly ipv6: boolean;
      /** Default policies. */
      readonly defaults: Readonly<Record<UfwDirection, UfwPolicy>>;
      /** User rules in ufw's order, IPv4 ones first. */
      readonly rules: readonly UfwRule[];
      /** The SSH connection the probe ran over, when it runs over SSH. */
      readonly ssh?: SshEndpoint;
    };

/** Shell that prints `$SSH_CONNECTION`, looking up the process tree when sudo has dropped it. */
const SSH_CONNECTION_PROBE =
  `c=$SSH_CONNECTION; p=$$; while [ -z "$c" ] && [ "$p" -gt 1 ] 2>/dev/null; do ` +
  `c=$(tr '\\000' '\\n' < /proc/$p/environ 2>/dev/null | sed -n 's/^SSH_CONNECTION=//p'); ` +
  `p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status 2>/dev/null); done; printf '%s\\n' "$c"`;

/** The one command behind {@link ufwState}: sections separated by `@@name` markers. */
export const UFW_STATE_COMMAND =
  `if ! [ -x /usr/sbin/ufw ] && ! command -v ufw >/dev/null 2>&1; then echo @@absent; exit 0; fi; ` +
  `if ! [ -r /etc/ufw/user.rules ]; then echo @@unreadable; exit 0; fi; ` +
  `echo @@defaults; cat /etc/default/ufw; echo @@conf; cat /etc/ufw/ufw.conf; ` +
  `echo @@rules4; grep '^### tuple ###' /etc/ufw/user.rules; ` +
  `echo @@rules6; grep '^### tuple ###' /etc/ufw/user6.rules 2>/dev/null; ` +
  `echo @@running; if iptables -n -L ufw-user-input >/dev/null 2>&1; then echo yes; else echo no; fi; ` +
  `echo @@ssh; ${SSH_CONNECTION_PROBE}`;

/** Split `@@name` sections of a probe's output. */
export function splitSections(stdout: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const marker = /^@@([\w-]+)$/.exec(line);
    if (marker) sections.set(marker[1] as string, (current = []));
    else if (current && line !== "") current.push(line);
  }
  return sections;
}

/** Values of `KEY=value` / `KEY="value"` lines. */
function shellVars(lines: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of lines) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)=(?:"([^"]*)"|'([^']*)'|(\S*))/.exec(line);
    if (m) vars.set(m[1] as string, m[2] ?? m[3] ?? m[4] ?? "");
  }
  return vars;
}

/** ufw's policy word for an iptables target in /etc/default/ufw. */
function policyOf(target: string | undefined, fallback: UfwPolicy): UfwPolicy {
  switch (target) {
    case "ACCEPT":
      return "allow";
    case "DROP":
      return "deny";
    case "REJECT":
      return "reject";
    default:
      return fallback;
  }
}

/** Decode ufw's hex-encoded comment (`comment=7373682078` → "ssh x"). */
export function decodeUfwComment(hex: string): string {
  return /^(?:[0-9a-fA-F]{2})*$/.test(hex) ? Buffer.from(hex, "hex").toString("utf8") : hex;
}

/** Encode a comment as ufw stores it. */
export function encodeUfwComment(comment: string): string {
  return Buffer.from(comment, "utf8").toString("hex");
}

/** Parse one `### tuple ### ...` line; undefined when it is not one. */
export function parseUfwTuple(line: string, family: "v4" | "v6"): UfwRule | undefined {
  const m = /^### tuple ### (.*)$/.exec(line.trim());
  if (!m) return undefined;
  let fields = (m[1] as string).split(" ").filter(Boolean);
  let comment: string | undefined;
  const last = fields[fields.length - 1];
  if (last?.startsWith("comment=")) {
    comment = decodeUfwComment(last.slice("comment=".length));
    fields = fields.slice(0, -1);
  }
  if (fields.length !== 7 && fields.length !== 9) return undefined;
  const [action, proto, dport, dst, sport, src] = fields as [string, string, string, string, string, string];
  const apps = fields.length === 9 ? { dapp: fields[6] as string, sapp: fields[7] as string } : undefined;
  const direction = fields[fields.length - 1] as string;
  const rule: UfwRule = { action, proto, dport, dst, sport, src, direction, family };
  const withApps = apps
    ? {
        ...rule,
        ...(apps.dapp !== "-" ? { dapp: decodeURIComponent(apps.dapp) } : {}),
        ...(apps.sapp !== "-" ? { sapp: decodeURIComponent(apps.sapp) } : {}),
      }
    : rule;
  return comment === undefined ? withApps : { ...withApps, comment };
}

/** Parse `$SSH_CONNECTION` ("client-ip client-port server-ip server-port"). */
export function parseSshConnection(text: string | undefined): SshEndpoint | undefined {
  const parts = (text ?? "").trim().split(/\s+/);
  if (parts.length !== 4) return undefined;
  const [clientIp, clientPort, serverIp, serverPort] = parts as [string, string, string, string];
  if (!/^\d+$/.test(clientPort) || !/^\d+$/.test(serverPort)) return undefined;
  return { clientIp, clientPort: Number(clientPort), serverIp, serverPort: Number(serverPort) };
}

/** Parse the output of {@link UFW_STATE_COMMAND}. */
export function parseUfwState(stdout: string): UfwState {
  const sections = splitSections(stdout);
  if (sections.has("absent")) return { installed: false };
  if (sections.has("unreadable")) throw new Error("Cannot read ufw's rules in /etc/ufw: permission denied (run with sudo)");
  if (!sections.has("defaults") || !sections.has("running"))
    throw new Error(`Cannot read ufw's state: unexpected output ${JSON.stringify(stdout.slice(0, 120))}`);
  const defaults = shellVars(sections.get("defaults") ?? []);
  const conf = shellVars(sections.get("conf") ?? []);
  const rules = [
    ...(sections.get("rules4") ?? []).map((l) => parseUfwTuple(l, "v4")),
    ...(sections.get("rules6") ?? []).map((l) => parseUfwTuple(l, "v6")),
  ].filter((r): r is UfwRule => r !== undefined);
  const ssh = parseSshConnection(sections.get("ssh")?.[0]);
  return {
    installed: true,
    enabled: (conf.get("ENABLED") ?? "no").toLowerCase() === "yes",
    running: sections.get("running")?.[0] === "yes",
    ipv6: (defaults.get("IPV6") ?? "no").toLowerCase() === "yes",
    defaults: {
      incoming: policyOf(defaults.get("DEFAULT_INPUT_POLICY"), "deny"),
      outgoing: policyOf(defaults.get("DEFAULT_OUTPUT_POLICY"), "allow"),
      routed: policyOf(defaults.get("DEFAULT_FORWARD_POLICY"), "deny"),
    },
    rules,
    ...(ssh ? { ssh } : {}),
  };
}

/**
 * ufw's rules, default policies and whether it is enabled, plus the SSH connection the command
 * runs over; one command, no Python. Needs root (run with sudo).
 */
export const ufwState = defineFact<void, UfwState>({
  id: "ufw.state",
  command: () => ({ text: raw(UFW_STATE_COMMAND).text, label: "read ufw state" }),
  parse: (r) => {
    if (r.code !== 0) throw new Error(`Cannot read ufw's state: ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseUfwState(r.stdout);
  },
});
