/**
 * The parts of `ansible_ssh_common_args` / `ansible_ssh_extra_args` that bosun's SSH connection
 * honours: `-o StrictHostKeyChecking=`, `-o UserKnownHostsFile=`, `-o ProxyJump=` / `-J`,
 * `-o ProxyCommand=`, `-o ConnectTimeout=`, `-o Port=` / `-p`, `-o User=` / `-l`,
 * `-o IdentityFile=` / `-i`, `-o HostName=`, `-F`, and `-o ControlPersist=` (how long a connection is kept
 * after a run, see lib/connection/keeper/). Options that change nothing about where and how
 * bosun connects (ControlMaster, ServerAliveInterval, -C, -q ...) are accepted and have no effect;
 * any other option is an error naming it: bosun never drops a connection setting silently.
 * As in ssh itself, the first value given for an option wins.
 */
import type { HostKeyPolicy } from "../core/connection.js";
import { parseJumpHosts, type JumpHost } from "./jump-host.js";
import { splitShellWords } from "./shell-words.js";

/** What the ssh arguments say, each field only when given. */
export interface SshArgs {
  /** From `StrictHostKeyChecking`: yes/ask → strict, accept-new, no/off → off. */
  readonly hostKeyPolicy?: HostKeyPolicy;
  /** From `UserKnownHostsFile` (as written; the first file when several are given). */
  readonly knownHostsPath?: string;
  /** From `ProxyJump` or `-J`, first hop first; empty for `none`. */
  readonly jump?: readonly JumpHost[];
  /** From `ConnectTimeout`, in seconds. */
  readonly connectTimeoutSeconds?: number;
  /** From `-p` or `Port`. */
  readonly port?: number;
  /** From `ProxyCommand` (`none` gives undefined). */
  readonly proxyCommand?: string;
  /** From `-l` or `User`. */
  readonly user?: string;
  /** From `-i` or `IdentityFile`. */
  readonly identityFile?: string;
  /** From `HostName`. */
  readonly hostName?: string;
  /** From `-F`: the ssh config file to read. */
  readonly configFile?: string;
  /** From `ControlPersist`: seconds to keep the connection after a run; 0 for `no`, Infinity for `yes` or 0. */
  readonly persistSeconds?: number;
}

/** `-o` options that do not change where or how bosun connects: accepted, without effect. */
const WITHOUT_EFFECT = new Set(
  [
    "ControlMaster",
    "ControlPath",
    "ServerAliveInterval",
    "ServerAliveCountMax",
    "Compression",
    "LogLevel",
    "TCPKeepAlive",
    "ConnectionAttempts",
    "IdentitiesOnly",
    "BatchMode",
    "PreferredAuthentications",
    "PubkeyAuthentication",
    "PasswordAuthentication",
    "KbdInteractiveAuthentication",
    "GSSAPIAuthentication",
    "HashKnownHosts",
    "CheckHostIP",
    "VisualHostKey",
    "UpdateHostKeys",
    "AddKeysToAgent",
    "RequestTTY",
    "Ciphers",
    "MACs",
    "KexAlgorithms",
    "HostKeyAlgorithms",
    "PubkeyAcceptedKeyTypes",
    "PubkeyAcceptedAlgorithms",
    "ForwardX11",
    "ForwardAgent=no",
    "ForwardAgent=false",
    "AddressFamily",
    "EscapeChar",
    "SendEnv",
    "SetEnv",
    "IPQoS",
    "Tunnel=no",
  ].map((k) => k.toLowerCase()),
);

/** Flags without an argument that change nothing for bosun (compression, quiet, verbose, tty ...). */
const FLAGS_WITHOUT_EFFECT = "Cqvt4 6nxTNfsKkMaVG".replace(/ /g, "");

/** Flags with an argument that change nothing for bosun (cipher, MACs, bind address, log file, control path). */
const ARG_FLAGS_WITHOUT_EFFECT = "cmbEBS";

/** An ssh option bosun's connection cannot honour. */
export class UnsupportedSshOption extends Error {
  constructor(readonly option: string) {
    super(`bosun cannot honour the ssh option ${option} (its connection is ssh2, not the ssh program)`);
    this.name = "UnsupportedSshOption";
  }
}

/** ssh flags that take an argument, so their argument is not read as a flag. */
const FLAGS_WITH_ARGUMENT = "BbcDEeFIiJLlmOopQRSWw";

const TIME_UNITS: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** ssh_config's ControlPersist: yes, no, or a time (`60`, `60s`, `10m`, `1h30m`); 0 and yes keep without limit. */
function persistValue(value: string): number {
  const v = value.toLowerCase();
  if (v === "no") return 0;
  if (v === "yes") return Infinity;
  if (!/^(?:[0-9]+[smhdw]?)+$/.test(v)) throw new UnsupportedSshOption(`-o ControlPersist=${value}`);
  let seconds = 0;
  for (const [, n = "0", unit = ""] of v.matchAll(/([0-9]+)([smhdw]?)/g)) seconds += Number(n) * (TIME_UNITS[unit] ?? 1);
  return seconds === 0 ? Infinity : seconds;
}

const policies: Record<string, HostKeyPolicy> = { yes: "strict", ask: "strict", "accept-new": "accept-new", no: "off", off: "off" };

type Found = { -readonly [K in keyof SshArgs]: SshArgs[K] };

function first<K extends keyof Found>(out: Found, key: K, value: Found[K] | undefined): void {
  if (out[key] === undefined && value !== undefined) out[key] = value;
}

function applyOption(out: Found, option: string): void {
  const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/s.exec(option);
  if (!match) throw new UnsupportedSshOption(`-o ${option}`);
  const [, rawKey = "", value = ""] = match;
  const key = rawKey.toLowerCase();
  const number = /^[0-9]+$/.test(value) ? Number(value) : undefined;
  if (key === "stricthostkeychecking") first(out, "hostKeyPolicy", policies[value.toLowerCase()]);
  else if (key === "userknownhostsfile") first(out, "knownHostsPath", splitShellWords(value)[0]);
  else if (key === "proxyjump") first(out, "jump", value.toLowerCase() === "none" ? [] : parseJumpHosts(value));
  else if (key === "proxycommand") first(out, "proxyCommand", value.toLowerCase() === "none" ? undefined : value);
  else if (key === "connecttimeout") first(out, "connectTimeoutSeconds", number);
  else if (key === "port") first(out, "port", number);
  else if (key === "user") first(out, "user", value);
  else if (key === "identityfile") first(out, "identityFile", value);
  else if (key === "hostname") first(out, "hostName", value);
  else if (key === "controlpersist") first(out, "persistSeconds", persistValue(value));
  else if (!WITHOUT_EFFECT.has(key) && !WITHOUT_EFFECT.has(`${key}=${value.toLowerCase()}`))
    throw new UnsupportedSshOption(`-o ${rawKey}=${value}`);
}

/** Read the options bosun honours from an ssh argument string; throws on unbalanced quotes or a bad jump host. */
export function parseSshArgs(text: string): SshArgs {
  const out: Found = {};
  const words = splitShellWords(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (!/^-[A-Za-z0-9]/.test(word)) throw new UnsupportedSshOption(word);
    const flag = word.charAt(1);
    if (!FLAGS_WITH_ARGUMENT.includes(flag)) {
      // Combined flags such as -Cq: each must be one without effect.
      for (const f of word.slice(1)) if (!FLAGS_WITHOUT_EFFECT.includes(f)) throw new UnsupportedSshOption(`-${f}`);
      continue;
    }
    const argument = word.length > 2 ? word.slice(2) : (words[++i] ?? "");
    if (flag === "o") applyOption(out, argument);
    else if (flag === "J") first(out, "jump", parseJumpHosts(argument));
    else if (flag === "p" && /^[0-9]+$/.test(argument)) first(out, "port", Number(argument));
    else if (flag === "l") first(out, "user", argument);
    else if (flag === "i") first(out, "identityFile", argument);
    else if (flag === "F") first(out, "configFile", argument);
    else if (!ARG_FLAGS_WITHOUT_EFFECT.includes(flag)) throw new UnsupportedSshOption(`-${flag} ${argument}`);
  }
  return out;
}
