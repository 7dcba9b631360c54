/**
 * What a launched command reached last time, for its next start to begin before the playbook loads:
 * the SSH handshakes to the hosts it logged in to (lib/connection/early-handshake.ts), and the check
 * batches of the hosts it reached over kept connections (lib/run/checks-ahead.ts). One small file
 * per playbook file, arguments and working directory under the controller's cache directory,
 * holding addresses, ports and known_hosts settings, and hashes (a keeper's key, a check list
 * file's name): never a user, key, password, command or answer.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { bosunCacheDir, writeCacheFile } from "../core/cache-dir.js";
import { directLogins, discardEarlyHandshakes, startEarlyHandshakes, type HandshakeTarget } from "../connection/early-handshake.js";
import { keeperDir, keeperSocket } from "../connection/keeper/socket-path.js";
import { keptChecksSent, type KeptChecks } from "../run/kept-checks.js";

/** What a start may begin ahead. */
export interface StartHint {
  /** Hosts to start a handshake with. */
  readonly targets: readonly HandshakeTarget[];
  /** Hosts whose checks to send ahead on their kept connections. */
  readonly kept: readonly KeptChecks[];
}

const NO_HINT: StartHint = { targets: [], kept: [] };

/** The hint file of `playbook` started with `args` in `cwd`. */
export function startHintFile(playbook: string, args: readonly string[], cwd: string, cacheDir = bosunCacheDir()): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([playbook, args, cwd]))
    .digest("hex");
  return path.join(cacheDir, "start-hints", `${hash.slice(0, 32)}.json`);
}

const isTarget = (t: unknown): t is HandshakeTarget => {
  const v = t as Partial<HandshakeTarget> | null;
  return typeof v?.host === "string" && Number.isInteger(v.port) && typeof v.hostKeyPolicy === "string";
};

const isKeptChecks = (k: unknown): k is KeptChecks => {
  const v = k as Partial<KeptChecks> | null;
  return typeof v?.key === "string" && typeof v.file === "string";
};

/** The hint in `file`; an empty one when there is no file or it is unreadable. */
export function readStartHint(file: string): StartHint {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { targets?: unknown; kept?: unknown };
    return {
      targets: Array.isArray(data.targets) ? data.targets.filter(isTarget) : [],
      kept: Array.isArray(data.kept) ? data.kept.filter(isKeptChecks) : [],
    };
  } catch {
    return NO_HINT;
  }
}

/**
 * Keep what this run reached in `file`, each list replacing the one `read` only when the run has
 * one (a run on kept connections logged in nowhere; a first run kept nothing), and only when that
 * changes the file (written beside it, then renamed); a failure only costs the next start its head start.
 */
export async function saveStartHint(file: string, read: StartHint, run: StartHint): Promise<void> {
  const next: StartHint = {
    targets: run.targets.length ? run.targets : read.targets,
    kept: run.kept.length ? run.kept : read.kept,
  };
  if (JSON.stringify(next) === JSON.stringify({ targets: read.targets, kept: read.kept })) return;
  try {
    await writeCacheFile(file, { version: 2, ...next });
  } catch {
    // an unwritable cache: the next start connects as this one did
  }
}

/** Set once a process began what its hint names: shared by every copy of this module (the launcher's, the compiled playbook's). */
const STARTED = Symbol.for("bosun.connectionsAhead");

/**
 * Once per process, as early as its start allows (a launcher, the bin, else the playbook's main()),
 * for `playbook` run with `args`: begin what its hint names. When a keeper listens, it may hold
 * those hosts' connections: their check batches go to it (a run on them needs no handshake, nor
 * ssh2). Else the handshakes start, and this resolves once they are under way (ssh2 loaded: the
 * caller waits for that before loading the playbook, whose loading would otherwise hold up the key
 * exchange as long as it takes). When the process is done (a definition need not await its main()),
 * close what the run did not take and keep what it reached for the next start.
 */
export function startConnectionsAhead(playbook: string, args: readonly string[]): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  if (global[STARTED]) return Promise.resolve(); // the launcher or the bin did, before the playbook's main() got here
  global[STARTED] = true;
  const file = startHintFile(playbook, args, process.cwd());
  const hint = readStartHint(file);
  process.once("beforeExit", () => {
    discardEarlyHandshakes();
    void saveStartHint(file, hint, { targets: directLogins(), kept: keptChecksSent() });
  });
  const persist = process.env.BOSUN_SSH_PERSIST !== "0"; // 0: this run keeps nothing, nor uses what a keeper kept
  const socket = keeperSocket(keeperDir());
  if (persist && existsSync(socket)) {
    // Only lists of this cache's own: the hint names a file, and its commands go to a host.
    const lists = path.join(bosunCacheDir(), "prefetch");
    const kept = hint.kept.filter((k) => path.dirname(k.file) === lists);
    // Loaded only here, so that a start that logs in does not load it before its handshakes begin.
    if (kept.length) void import("../run/checks-ahead.js").then(({ startChecksAhead }) => startChecksAhead(socket, kept));
    return Promise.resolve();
  }
  return hint.targets.length ? startEarlyHandshakes(hint.targets) : Promise.resolve();
}
