/**
 * OpenSSH's client configuration (`~/.ssh/config`, or `$BOSUN_SSH_CONFIG`, or `-F` in the ssh
 * arguments) for one host, read with the ssh-config package: the values bosun's connection uses.
 * As in ssh, the first value obtained wins; inventory variables sit above all of it.
 * `Match exec` blocks are not evaluated (reading a config never runs a program).
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import SSHConfig from "ssh-config";

/** What the config says about a host, each field only when set. */
export interface SshConfigEntry {
  /** `HostName`: the address to connect to. */
  readonly hostName?: string;
  /** `User`. */
  readonly user?: string;
  /** `Port`. */
  readonly port?: number;
  /** `IdentityFile` values, in order, `~` expanded. */
  readonly identityFiles: readonly string[];
  /** `ProxyJump`. */
  readonly proxyJump?: string;
  /** `ProxyCommand`. */
  readonly proxyCommand?: string;
  /** `StrictHostKeyChecking`. */
  readonly strictHostKeyChecking?: string;
  /** `UserKnownHostsFile` (the first file). */
  readonly userKnownHostsFile?: string;
}

/** The config file bosun reads: `file` if given, else `$BOSUN_SSH_CONFIG`, else `~/.ssh/config`. */
export function sshConfigPath(file?: string): string {
  return expandHome(file ?? process.env.BOSUN_SSH_CONFIG ?? path.join(homedir(), ".ssh", "config"));
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(homedir(), p.slice(1)) : p;
}

const parsed = new Map<string, ReturnType<typeof SSHConfig.parse> | undefined>();

function load(file: string): ReturnType<typeof SSHConfig.parse> | undefined {
  if (!parsed.has(file)) parsed.set(file, existsSync(file) ? SSHConfig.parse(readFileSync(file, "utf8")) : undefined);
  return parsed.get(file);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The config's values for `host` (the name given to ssh: `ansible_host`, else the inventory name). */
export function sshConfigFor(host: string, options: { readonly file?: string; readonly user?: string } = {}): SshConfigEntry {
  const config = load(sshConfigPath(options.file));
  if (!config) return { identityFiles: [] };
  const c = config.compute(host, {
    ignoreCase: true,
    matchExec: false,
    ...(options.user ? { user: options.user } : {}),
  } as never) as Record<string, string | string[] | undefined>;
  const port = one(c.port);
  const files = c.identityfile === undefined ? [] : Array.isArray(c.identityfile) ? c.identityfile : [c.identityfile];
  const expand = (v: string): string => expandHome(v.replace(/%d/g, homedir()).replace(/%h/g, host));
  const entry: Record<string, unknown> = { identityFiles: files.map(expand) };
  const set = (key: keyof SshConfigEntry, value: string | undefined): void => {
    if (value !== undefined && value.toLowerCase() !== "none") entry[key] = value;
  };
  set("hostName", one(c.hostname)?.replace(/%h/g, host));
  set("user", one(c.user));
  if (port !== undefined && /^\d+$/.test(port)) entry.port = Number(port);
  set("proxyJump", one(c.proxyjump));
  set("proxyCommand", one(c.proxycommand));
  set("strictHostKeyChecking", one(c.stricthostkeychecking));
  const known = one(c.userknownhostsfile)?.split(/\s+/)[0];
  set("userKnownHostsFile", known === undefined ? undefined : expand(known));
  return entry as unknown as SshConfigEntry;
}

/** Forget parsed config files (tests that write one). */
export function forgetSshConfigs(): void {
  parsed.clear();
}
