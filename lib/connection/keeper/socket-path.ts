/**
 * Where the keeper listens: one Unix socket per user, in a directory only this user may enter (as
 * OpenSSH's ControlPath). Each kept connection has a key, a hash of how the host is reached —
 * never of a password or passphrase, which a key could leak — so another address, port, user,
 * key file, known_hosts file or jump host never shares a kept connection.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SshSpec } from "../../core/connection.js";

/** The directory for keepers' sockets: BOSUN_KEEPER_DIR, else $XDG_RUNTIME_DIR/bosun, else <tmp>/bosun-<uid>. */
export function keeperDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BOSUN_KEEPER_DIR) return env.BOSUN_KEEPER_DIR;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, "bosun");
  return path.join(os.tmpdir(), `bosun-${os.userInfo().uid}`);
}

/** How a host is reached, without its secrets. */
function reach(spec: SshSpec): unknown {
  return [
    spec.host,
    spec.port,
    spec.user,
    spec.privateKeyPath ?? null,
    spec.agent ?? null,
    spec.knownHostsPath ?? null,
    spec.hostKeyPolicy,
    spec.shellSession ?? true,
    spec.proxyCommand ?? null,
    spec.jump ? reach(spec.jump) : null,
  ];
}

/** The key of `spec`'s kept connection. */
export function keeperKey(spec: SshSpec): string {
  return createHash("sha256")
    .update(JSON.stringify(reach(spec)))
    .digest("hex")
    .slice(0, 24);
}

/** The keeper's socket in `dir`. */
export const keeperSocket = (dir: string): string => path.join(dir, "keeper.sock");

/** The keeper's log in `dir` (what it does, never a command or its input). */
export const keeperLog = (dir: string): string => path.join(dir, "keeper.log");

/**
 * Make `dir` (mode 0700) if missing and say why it must not hold sockets, if so: it must be a real
 * directory owned by this user that nobody else may enter, since its sockets run commands on hosts.
 */
export function unsafeKeeperDir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return `${dir} is not a directory`;
    if (st.uid !== os.userInfo().uid) return `${dir} belongs to another user (uid ${st.uid})`;
    if ((st.mode & 0o077) !== 0) return `${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}; chmod 700 it)`;
    return undefined;
  } catch (e) {
    return `cannot use ${dir}: ${(e as Error).message}`;
  }
}
