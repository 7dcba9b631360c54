/**
 * How to reach a host and whether to use sudo, from its variables. Sources for each setting, first
 * found wins: bosun's own `bosun_*` variable, Ansible's variable, the ssh arguments in
 * `ansible_ssh_common_args` then `ansible_ssh_extra_args`, the default.
 */
import type { BecomeSpec, ConnectionSpec, HostKeyPolicy, SshSpec } from "../core/connection.js";
import { InventoryError } from "../core/errors.js";
import type { JumpHost } from "./jump-host.js";
import { parseJumpHosts } from "./jump-host.js";
import { resolveUserPath } from "./paths.js";
import { parseSshArgs, UnsupportedSshOption, type SshArgs } from "./ssh-args.js";
import { sshConfigFor, type SshConfigEntry } from "./ssh-config.js";
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import type { Vars } from "./types.js";
import { pick, toBool, toInteger, toSeconds, toText } from "./var-values.js";

/** Options of {@link connectionFromVars}. */
export interface ConnectionFromVarsOptions {
  /** Directory that relative key and known_hosts paths start from (the inventory file's directory). */
  readonly baseDir?: string;
}

const LOCAL = new Set(["local", "ansible.builtin.local"]);
const SSH = new Set(["ssh", "smart", "paramiko", "ansible.builtin.ssh", "ansible.builtin.paramiko_ssh", "paramiko_ssh"]);

/** Refuse a connection plugin bosun does not have (`ansible.netcommon.network_cli`, `winrm`, `docker`...). */
function checkConnectionPlugin(vars: Vars): void {
  const connection = pick(vars, "ansible_connection");
  if (connection && !LOCAL.has(String(connection.value)) && !SSH.has(String(connection.value))) {
    throw new Error(
      `ansible_connection is ${JSON.stringify(connection.value)}, a connection plugin bosun does not have (it connects with ssh or local); leave this host out with --limit '!<host>' or a play pattern`,
    );
  }
}

function sshArgs(vars: Vars): SshArgs {
  const read = (name: string): SshArgs => {
    const found = pick(vars, name);
    if (!found) return {};
    try {
      return parseSshArgs(String(found.value));
    } catch (e) {
      if (!(e instanceof UnsupportedSshOption)) throw e;
      throw new Error(`${found.name}: ${e.message}; remove it, or use a setting bosun has (README "SSH as OpenSSH")`);
    }
  };
  const common = read("ansible_ssh_common_args");
  const extra = read("ansible_ssh_extra_args");
  const merged: Record<string, unknown> = { ...extra };
  for (const [key, value] of Object.entries(common)) if (value !== undefined) merged[key] = value;
  return merged as SshArgs;
}

function hostKeyPolicy(vars: Vars, args: SshArgs, config: SshConfigEntry): HostKeyPolicy {
  const own = pick(vars, "bosun_host_key_checking");
  if (own) {
    if (own.value === "strict" || own.value === "accept-new" || own.value === "off") return own.value;
    throw new Error(`bosun_host_key_checking must be one of strict, accept-new, off, got ${JSON.stringify(own.value)}`);
  }
  if (args.hostKeyPolicy) return args.hostKeyPolicy;
  const ansible = pick(vars, "ansible_host_key_checking");
  if (ansible && !toBool(ansible.name, ansible.value)) return "off";
  const fromConfig = config.strictHostKeyChecking?.toLowerCase();
  if (fromConfig === "no" || fromConfig === "off") return "off";
  if (fromConfig === "accept-new") return "accept-new";
  return "strict";
}

function isLocal(name: string, vars: Vars): boolean {
  const connection = pick(vars, "ansible_connection");
  if (connection) return LOCAL.has(String(connection.value));
  return name === "localhost" && !pick(vars, "ansible_host", "ansible_ssh_host", "ansible_port", "ansible_ssh_port");
}

function jumpChain(hops: readonly JumpHost[], base: Omit<SshSpec, "host" | "port" | "jump" | "password">): SshSpec | undefined {
  let previous: SshSpec | undefined;
  for (const hop of hops) {
    previous = { ...base, host: hop.host, port: hop.port ?? 22, user: hop.user ?? base.user, ...(previous ? { jump: previous } : {}) };
  }
  return previous;
}

function sshSpec(name: string, vars: Vars, baseDir: string): SshSpec {
  const args = sshArgs(vars);
  const text = (...names: string[]): string | undefined => {
    const found = pick(vars, ...names);
    return found ? toText(found.name, found.value) : undefined;
  };
  const path = (value: string | undefined): string | undefined => (value === undefined ? undefined : resolveUserPath(value, baseDir));
  // As ssh does: the name given to it (ansible_host, else the inventory name) selects the config's Host blocks.
  const alias = text("ansible_host", "ansible_ssh_host") ?? name;
  const config = sshConfigFor(alias, { file: args.configFile });
  const port = pick(vars, "ansible_port", "ansible_ssh_port");
  const timeout = pick(vars, "bosun_connect_timeout", "ansible_timeout", "ansible_ssh_timeout");
  const retries = pick(vars, "bosun_connect_retries");
  const jump = pick(vars, "bosun_jump_host");
  const session = pick(vars, "bosun_shell_session");
  const persist = pick(vars, "bosun_ssh_persist");
  const configKey = config.identityFiles.find((f) => existsSync(f));
  const privateKeyPath = path(text("ansible_ssh_private_key_file", "ansible_private_key_file") ?? args.identityFile) ?? configKey;
  const knownHostsPath = path(text("bosun_known_hosts") ?? args.knownHostsPath ?? config.userKnownHostsFile);
  const passphrase = text("bosun_ssh_key_passphrase");
  const base = {
    kind: "ssh" as const,
    user: text("ansible_user", "ansible_ssh_user") ?? args.user ?? config.user ?? localUser(),
    ...(privateKeyPath ? { privateKeyPath } : {}),
    ...(passphrase ? { passphrase } : {}),
    ...(knownHostsPath ? { knownHostsPath } : {}),
    hostKeyPolicy: hostKeyPolicy(vars, args, config),
    connectTimeoutMs: Math.round((timeout ? toSeconds(timeout.name, timeout.value) : (args.connectTimeoutSeconds ?? 10)) * 1000),
    connectRetries: retries ? toInteger(retries.name, retries.value, { min: 0, max: 100 }) : 2,
    ...(session && !toBool(session.name, session.value) ? { shellSession: false } : {}),
    ...(persist
      ? { persistSeconds: toInteger(persist.name, persist.value, { min: 0, max: 604800 }) }
      : args.persistSeconds !== undefined
        ? { persistSeconds: args.persistSeconds }
        : {}),
  };
  const password = pick(vars, "ansible_password", "ansible_ssh_pass", "ansible_ssh_password");
  const hops = jump ? parseJumpHosts(String(jump.value)) : (args.jump ?? (config.proxyJump ? parseJumpHosts(config.proxyJump) : []));
  const via = jumpChain(hops, base);
  const proxyCommand = jump || args.jump ? undefined : (args.proxyCommand ?? config.proxyCommand);
  return {
    ...base,
    host: args.hostName ?? config.hostName ?? alias,
    port: port ? toInteger(port.name, port.value, { min: 1, max: 65535 }) : (args.port ?? config.port ?? 22),
    ...(password ? { password: String(password.value) } : {}),
    ...(via ? { jump: via } : {}),
    ...(proxyCommand && !via ? { proxyCommand } : {}),
  };
}

/** The user running bosun: the login user when nothing names one, as OpenSSH and Ansible do. */
function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "root";
  }
}

/**
 * How to reach host `name` from its variables. `ansible_connection: local`, or a host named
 * `localhost` with no `ansible_connection`, `ansible_host` or `ansible_port`, runs locally.
 * Otherwise SSH with (inventory variables first, then the ssh arguments, then ~/.ssh/config, as
 * OpenSSH reads it): port 22, user `ansible_user` or the local user, host key policy strict, connect timeout
 * 10 s, 2 retries, and the default known_hosts file unless these are set. A jump host inherits the
 * target's key, user (unless it names its own), known_hosts, policy, timeout and retries, never its password.
 */
export function connectionFromVars(name: string, vars: Vars, options: ConnectionFromVarsOptions = {}): ConnectionSpec {
  try {
    checkConnectionPlugin(vars);
    if (isLocal(name, vars)) return { kind: "local" };
    return sshSpec(name, vars, options.baseDir ?? process.cwd());
  } catch (error) {
    throw new InventoryError(`Cannot build the connection of host "${name}": ${(error as Error).message}`, { host: name });
  }
}

/** Refuse a become method or user bosun does not have, when become is on. */
function checkBecomeSupported(vars: Vars): void {
  const method = pick(vars, "ansible_become_method");
  if (method && !["sudo", "ansible.builtin.sudo"].includes(String(method.value))) {
    throw new Error(`ansible_become_method is ${JSON.stringify(method.value)}; bosun becomes root with sudo only`);
  }
  const user = pick(vars, "ansible_become_user");
  if (user && String(user.value) !== "root")
    throw new Error(`ansible_become_user is ${JSON.stringify(user.value)}; bosun becomes root only`);
}

/** Become (sudo) settings from `ansible_become` and `ansible_become_password` (or `ansible_become_pass`). */
export function becomeFromVars(name: string, vars: Vars): BecomeSpec {
  try {
    const enabled = pick(vars, "ansible_become");
    const password = pick(vars, "ansible_become_password", "ansible_become_pass");
    const on = enabled ? toBool(enabled.name, enabled.value) : false;
    if (on) checkBecomeSupported(vars);
    return {
      enabled: on,
      ...(password ? { password: String(password.value) } : {}),
    };
  } catch (error) {
    throw new InventoryError(`Cannot read the become settings of host "${name}": ${(error as Error).message}`, { host: name });
  }
}
