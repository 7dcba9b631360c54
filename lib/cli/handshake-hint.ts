/**
 * Which hosts a launched command logged in to last time, for the launcher to start their SSH
 * handshakes before the playbook loads (lib/connection/early-handshake.ts). One small file per
 * playbook file, arguments and working directory under the controller's cache directory, holding
 * addresses, ports and known_hosts settings only: never a user, key, password or answer.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { bosunCacheDir, writeCacheFile } from "../core/cache-dir.js";
import { directLogins, discardEarlyHandshakes, startEarlyHandshakes, type HandshakeTarget } from "../connection/early-handshake.js";
import { keeperDir, keeperSocket } from "../connection/keeper/socket-path.js";

/** The hint file of `playbook` started with `args` in `cwd`. */
export function handshakeHintFile(playbook: string, args: readonly string[], cwd: string, cacheDir = bosunCacheDir()): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([playbook, args, cwd]))
    .digest("hex");
  return path.join(cacheDir, "handshakes", `${hash.slice(0, 32)}.json`);
}

const isTarget = (t: unknown): t is HandshakeTarget => {
  const v = t as Partial<HandshakeTarget> | null;
  return typeof v?.host === "string" && Number.isInteger(v.port) && typeof v.hostKeyPolicy === "string";
};

/** The hosts in `file`; none when there is no file or it is unreadable. */
export function readHandshakeHint(file: string): HandshakeTarget[] {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { targets?: unknown };
    return Array.isArray(data.targets) ? data.targets.filter(isTarget) : [];
  } catch {
    return [];
  }
}

/** Keep `targets` in `file` when they differ from `read` (written beside it, then renamed); a failure only costs the next start its head start. */
export async function saveHandshakeHint(
  file: string,
  read: readonly HandshakeTarget[],
  targets: readonly HandshakeTarget[],
): Promise<void> {
  if (targets.length === 0 || JSON.stringify(read) === JSON.stringify(targets)) return;
  try {
    await writeCacheFile(file, { version: 1, targets });
  } catch {
    // an unwritable cache: the next start connects as this one did
  }
}

/** Set once a process started its handshakes: shared by every copy of this module (the launcher's, the compiled playbook's). */
const STARTED = Symbol.for("bosun.handshakesAhead");

/**
 * Once per process, as early as its start allows (a launcher, the bin, else the playbook's main()),
 * for `playbook` run with `args`: start the handshakes its hint names, unless a keeper
 * listens (it may hold those connections: a run on them needs no handshake, nor ssh2); resolves once
 * they are under way (ssh2 loaded: the caller waits for that before loading the playbook, whose
 * loading would otherwise hold up the key exchange as long as it takes). When the process is done (a definition need not await its main()), close what the run did not take and
 * keep whom it logged in to for the next start.
 */
export function startHandshakesAhead(playbook: string, args: readonly string[]): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  if (global[STARTED]) return Promise.resolve(); // the launcher or the bin did, before the playbook's main() got here
  global[STARTED] = true;
  const file = handshakeHintFile(playbook, args, process.cwd());
  const targets = readHandshakeHint(file);
  process.once("beforeExit", () => {
    discardEarlyHandshakes();
    void saveHandshakeHint(file, targets, directLogins());
  });
  const keeperMayHold = process.env.BOSUN_SSH_PERSIST !== "0" && existsSync(keeperSocket(keeperDir())); // 0: this run keeps nothing
  return targets.length && !keeperMayHold ? startEarlyHandshakes(targets) : Promise.resolve();
}
