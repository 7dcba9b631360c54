/**
 * sshd facts: a drop-in in /etc/ssh/sshd_config.d, the effective configuration now and with a
 * candidate drop-in in its place (`sshd -T` on a trial copy of the whole configuration), and what
 * the session's login user needs to get back in (its keys, password state, how it logged in).
 * One command; the candidate travels on stdin. The trial copy lives in a temp directory that is
 * removed before the command returns: live files are never touched.
 */
import { raw, sh, type Command } from "../core/command.js";
import { defineFact } from "../core/fact.js";
import { parseSections, parseStatLine, prefixedContent, section, sectionedCommand, statLine, unprefix, type NodeStat } from "./access.js";

/** sshd's drop-in directory, included by Debian's and Ubuntu's sshd_config. */
export const SSHD_DROP_IN_DIR = "/etc/ssh/sshd_config.d";

/** `sshd -T` output: lower-case keyword → values (a keyword may repeat). */
export type SshdEffective = ReadonlyMap<string, readonly string[]>;

/** A file sshd reads public keys from, for the login user, and how many key lines it holds. */
export interface KeyFile {
  readonly path: string;
  readonly keys: number;
}

/** Argument of {@link sshdDropIn}. */
export interface SshdDropInQuery {
  /** Drop-in name without `.conf`. */
  readonly name: string;
  /** The candidate content; undefined: the drop-in removed. */
  readonly candidate?: string;
}

/** The effective configuration under one version of the files. */
export interface SshdTrial {
  /** `sshd -t` accepted it. */
  readonly valid: boolean;
  /** What `sshd -t` printed (errors). */
  readonly errors: string;
  /** `sshd -T` for the login user (empty when invalid). */
  readonly effective: SshdEffective;
  /** The login user's key files under this configuration. */
  readonly keyFiles: readonly KeyFile[];
}

/** What {@link sshdDropIn} returns. */
export interface SshdDropInState {
  /** The user this session logged in as (`$SUDO_USER` under sudo). */
  readonly loginUser: string;
  /** The login user's groups (primary first). */
  readonly loginGroups: readonly string[];
  /** Whether the login user's password can be used (`empty`: no password at all). */
  readonly password: "usable" | "locked" | "empty";
  /** How this session authenticated (`publickey`, `password`, `keyboard-interactive/pam`), from sshd's log; undefined when not found. */
  readonly sessionMethod?: string;
  /** Whether sshd and /etc/ssh/sshd_config are there. */
  readonly installed: boolean;
  /** Whether sshd_config includes `sshd_config.d/*.conf`. */
  readonly includesDropIns: boolean;
  /** The drop-in file now. */
  readonly file: NodeStat;
  /** Its content when it is a regular file. */
  readonly content?: string;
  /** The live configuration. */
  readonly now: SshdTrial;
  /** The configuration with the candidate in place. */
  readonly trial: SshdTrial;
  /** Names of the drop-ins (`*.conf`) in the directory, sorted as sshd reads them. */
  readonly dropIns: readonly string[];
  /** Other users with at least one authorized key in ~/.ssh/authorized_keys, and whether sudo lets them run commands. */
  readonly keyUsers: readonly { readonly user: string; readonly sudo: boolean }[];
}

/**
 * A subshell that copies sshd's configuration to a temp directory with `candidate` (a shell word
 * naming a file; undefined: no drop-in) as `<name>.conf` among the other drop-ins, points the copy's
 * Include at it, and runs `then` with `$T/sshd_config` as the whole trial configuration.
 */
export function sshdTrialScript(name: string, candidate: string | undefined, then: string): string {
  const dest = `${SSHD_DROP_IN_DIR}/${name}.conf`;
  const copy = candidate === undefined ? "" : `cp -- ${candidate} "$T/d/"${sh`${`${name}.conf`}`.text} || exit 1; `;
  return sh`( T=$(mktemp -d /tmp/bosun-sshd.XXXXXX) || exit 1; trap 'rm -rf -- "$T"' EXIT; mkdir -- "$T/d" || exit 1; for f in ${raw(SSHD_DROP_IN_DIR)}/*.conf; do if [ -f "$f" ] && [ "$f" != ${dest} ]; then cp -- "$f" "$T/d/" || exit 1; fi; done; ${raw(copy)}sed -E 's#^([[:space:]]*include[[:space:]]+)(/etc/ssh/)?sshd_config\\.d/\\*\\.conf#\\1'"$T"'/d/*.conf#I' /etc/ssh/sshd_config > "$T/sshd_config" || exit 1; ${raw(then)} )`
    .text;
}

/** Shell (a function `kf FILE`) printing `<count>\t<path>` for each AuthorizedKeysFile of `$u` in a `sshd -T` output file. */
const KEY_FILES = `kf() { awk -v h="$h" -v u="$u" -v i="$i" '$1 == "authorizedkeysfile" { for (n = 2; n <= NF; n++) { p = $n; gsub(/%%/, "\\001", p); gsub(/%h/, h, p); gsub(/%u/, u, p); gsub(/%U/, i, p); gsub(/\\001/, "%", p); if (p !~ /^\\//) p = h "/" p; print p } }' "$1" | while IFS= read -r p; do c=$(grep -cE '^[[:space:]]*[^#[:space:]]' -- "$p" 2>/dev/null); printf '%s\\t%s\\n' "\${c:-0}" "$p"; done; }`;

function probe(q: SshdDropInQuery): Command {
  const dest = `${SSHD_DROP_IN_DIR}/${q.name}.conf`;
  const setup = sh`d=${dest}; PATH="$PATH:/usr/sbin:/sbin"; W=$(mktemp -d /tmp/bosun-sshd.XXXXXX) || exit 1; trap 'rm -rf -- "$W"' EXIT; cat > "$W/candidate"; u=\${SUDO_USER:-$(id -un)}; e=$(getent passwd -- "$u"); h=$(printf '%s\\n' "$e" | cut -d: -f6); i=$(printf '%s\\n' "$e" | cut -d: -f3); ${raw(KEY_FILES)}`;
  const login = sh`printf '%s\\n' "$u"; id -Gn -- "$u"; case $(getent shadow -- "$u" | cut -d: -f2) in '') echo empty ;; '!'*|'*'*) echo locked ;; *) echo usable ;; esac`;
  const session = sh`p=$$; m=; while [ -z "$m" ] && [ "\${p:-0}" -gt 1 ]; do m=$(journalctl -q -o cat _PID="$p" 2>/dev/null | grep -m1 '^Accepted '); [ -n "$m" ] || m=$(grep -h "sshd\\[$p\\]: Accepted " /var/log/auth.log 2>/dev/null | tail -n1 | sed 's/.*: Accepted /Accepted /'); p=$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' '); done; printf '%s\\n' "$m"; a=$(printf '%s\\n' "$m" | sed -n 's/.* from \\([^ ]*\\) port .*/\\1/p'); a=\${a:-127.0.0.1}`;
  const include = sh`if ! command -v sshd >/dev/null || ! [ -f /etc/ssh/sshd_config ]; then echo missing; elif grep -Eiq '^[[:space:]]*include[[:space:]]+(/etc/ssh/)?sshd_config\\.d/\\*\\.conf' /etc/ssh/sshd_config; then echo yes; else echo no; fi`;
  const content = sh`if [ -f "$d" ] && ! [ -L "$d" ]; then ${prefixedContent("d")}; else ${raw(":")}; fi`;
  const trial = (file: string): string =>
    `if sshd -t -f ${file} 2>&1; then echo @valid; sshd -T -f ${file} -C "user=$u,host=$a,addr=$a" > "$W/eff" 2>&1 && cat "$W/eff" && echo @keys && kf "$W/eff"; else echo @invalid; fi`;
  const now = { text: trial("/etc/ssh/sshd_config") };
  const candidate = q.candidate === undefined ? undefined : '"$W/candidate"';
  const next = { text: sshdTrialScript(q.name, candidate, trial('"$T/sshd_config"')) };
  const keyUsers = sh`getent passwd | while IFS=: read -r n x1 x2 x3 x4 hd x5; do [ "$n" = "$u" ] && continue; f="$hd/.ssh/authorized_keys"; if [ -f "$f" ] && grep -qE '^[[:space:]]*[^#[:space:]]' -- "$f" 2>/dev/null; then case $(sudo -n -l -U "$n" 2>/dev/null) in *"may run the following"*) printf '%s sudo\\n' "$n" ;; *) printf '%s\\n' "$n" ;; esac; fi; done`;
  const cmd = sectionedCommand([
    ["login", login],
    ["session", session],
    ["include", include],
    ["file", statLine("d")],
    ["content", content],
    ["now", now],
    ["trial", next],
    ["key-users", keyUsers],
    ["drop-ins", sh`for f in ${raw(SSHD_DROP_IN_DIR)}/*.conf; do if [ -f "$f" ]; then printf '%s\\n' "\${f##*/}"; fi; done`],
  ]);
  return { text: `${setup.text}\n${cmd.text}`, stdin: q.candidate ?? "", label: `read sshd configuration and try ${dest}` };
}

/** Parse `sshd -T` output. */
export function parseEffective(text: string): SshdEffective {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    out.set(key, [...(out.get(key) ?? []), m[2] as string]);
  }
  return out;
}

/** Parse one trial section: `sshd -t` errors, then `@valid` + `sshd -T` + `@keys` + key files, or `@invalid`. */
export function parseTrial(text: string): SshdTrial {
  const valid = /(^|\n)@valid\n/.exec(text);
  if (!valid) return { valid: false, errors: text.replace(/(^|\n)@invalid\n?$/, "").trim(), effective: new Map(), keyFiles: [] };
  const rest = text.slice(valid.index + valid[0].length);
  const [eff = "", keys = ""] = rest.split(/(?:^|\n)@keys\n/);
  const keyFiles = keys
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [n = "0", ...path] = line.split("\t");
      return { path: path.join("\t"), keys: Number(n) || 0 };
    });
  return { valid: true, errors: text.slice(0, valid.index).trim(), effective: parseEffective(eff), keyFiles };
}

/** A drop-in, the configuration with and without the candidate, and the login user's ways in. */
export const sshdDropIn = defineFact<SshdDropInQuery, SshdDropInState>({
  id: "access.sshdDropIn",
  command: probe,
  parse: (r, q) => {
    const s = parseSections(r.stdout);
    const get = (name: string): string => section(s, name, r.stderr).text;
    const [loginUser = "", groups = "", password = ""] = get("login").split("\n");
    const accepted = /^Accepted (\S+) for /.exec(get("session"));
    const file = parseStatLine(get("file"));
    const content = section(s, "content", r.stderr);
    if (content.code !== 0) throw new Error(`Cannot read ${SSHD_DROP_IN_DIR}/${q.name}.conf: ${r.stderr.trim() || `exit ${content.code}`}`);
    return {
      loginUser,
      loginGroups: groups.split(" ").filter(Boolean),
      password: password === "usable" || password === "empty" ? password : "locked",
      ...(accepted ? { sessionMethod: accepted[1] } : {}),
      installed: !get("include").startsWith("missing"),
      includesDropIns: get("include").startsWith("yes"),
      file,
      ...(file.kind === "file" ? { content: unprefix(content.text) } : {}),
      now: parseTrial(get("now")),
      trial: parseTrial(get("trial")),
      dropIns: get("drop-ins").split("\n").filter(Boolean),
      keyUsers: get("key-users")
        .split("\n")
        .filter(Boolean)
        .map((line) => ({ user: line.split(" ")[0] as string, sudo: line.endsWith(" sudo") })),
    };
  },
});
