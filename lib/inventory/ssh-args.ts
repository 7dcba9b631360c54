/**
 * The parts of `ansible_ssh_common_args` / `ansible_ssh_extra_args` that bosun's SSH connection can
 * honour: `-o StrictHostKeyChecking=`, `-o UserKnownHostsFile=`, `-o ProxyJump=` / `-J`,
 * `-o ConnectTimeout=`, `-o Port=` / `-p`. Every other option is ignored without an error.
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
}

/** ssh flags that take an argument, so their argument is not read as a flag. */
const FLAGS_WITH_ARGUMENT = "BbcDEeFIiJLlmOopQRSWw";

const policies: Record<string, HostKeyPolicy> = { yes: "strict", ask: "strict", "accept-new": "accept-new", no: "off", off: "off" };

type Found = { -readonly [K in keyof SshArgs]: SshArgs[K] };

function first<K extends keyof Found>(out: Found, key: K, value: Found[K] | undefined): void {
  if (out[key] === undefined && value !== undefined) out[key] = value;
}

function applyOption(out: Found, option: string): void {
  const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(option);
  if (!match) return;
  const [, rawKey = "", value = ""] = match;
  const key = rawKey.toLowerCase();
  const number = /^[0-9]+$/.test(value) ? Number(value) : undefined;
  if (key === "stricthostkeychecking") first(out, "hostKeyPolicy", policies[value.toLowerCase()]);
  if (key === "userknownhostsfile") first(out, "knownHostsPath", splitShellWords(value)[0]);
  if (key === "proxyjump") first(out, "jump", parseJumpHosts(value));
  if (key === "connecttimeout") first(out, "connectTimeoutSeconds", number);
  if (key === "port") first(out, "port", number);
}

/** Read the options bosun honours from an ssh argument string; throws on unbalanced quotes or a bad jump host. */
export function parseSshArgs(text: string): SshArgs {
  const out: Found = {};
  const words = splitShellWords(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    if (!/^-[A-Za-z]/.test(word)) continue;
    const flag = word.charAt(1);
    if (!FLAGS_WITH_ARGUMENT.includes(flag)) continue;
    const argument = word.length > 2 ? word.slice(2) : (words[++i] ?? "");
    if (flag === "o") applyOption(out, argument);
    if (flag === "J") first(out, "jump", parseJumpHosts(argument));
    if (flag === "p" && /^[0-9]+$/.test(argument)) first(out, "port", Number(argument));
  }
  return out;
}
