/**
 * The host-side deploy lock: `flock` on `<app_dir>/.bosun/deploy.lock`, held by a process of the
 * deploy's own SSH session. That process writes a heartbeat to its channel every second, so when
 * the session goes away (controller killed, connection dropped, laptop rebooted) its next write
 * fails, it dies and the kernel releases the lock: a lock cannot outlive its holder. The file
 * still names the holder for humans (one JSON line: who, tag, since, token, pid).
 *
 * A second deploy does not loop on the host: it tries once (`flock -n`), and the controller
 * retries every second up to `lock_wait`, so an interrupt stops the wait at once and nothing is
 * left running on the host. `--break-lock` ends the holding process of a lock older than
 * `lock_stale_minutes` (its holder alive elsewhere, e.g. a hung session) and takes the lock.
 * Taking and releasing the lock leave the host as it was, so both report ok, never changed.
 */
import { randomBytes } from "node:crypto";
import { defineTask, changed } from "../../lib/core/task.js";
import { sh, type Command } from "../../lib/core/command.js";
import { params, absPath, any, bool, int } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { interruptSignal, sleepUnlessInterrupted, throwIfInterrupted } from "./abort.js";

/** The lock file, relative to the app dir (a directory there is the lock of an older bosun). */
export const LOCK_FILE = ".bosun/deploy.lock";

/** Who holds a lock: the lock file's one JSON line. */
export interface LockOwner {
  /** Who deploys. */
  readonly who: string;
  /** Tag being deployed (or "rollback"/"promotion" before it is known). */
  readonly tag: string;
  /** When the lock was taken (ISO, controller clock). */
  readonly since: string;
  /** Random token: only the deploy that took the lock releases it. */
  readonly token: string;
  /** Process id of the holding process on the host (written by the host). */
  readonly pid?: number;
}

/** A fresh owner record for this deploy. */
export function newLockOwner(who: string, tag: string, now = new Date()): LockOwner {
  return { who, tag, since: now.toISOString(), token: randomBytes(8).toString("hex") };
}

/** A held lock as the host shows it. */
export interface HeldLock {
  /** The owner record, when the lock file could be read. */
  readonly owner?: Partial<LockOwner>;
  /** Age of the record in seconds (host clock). */
  readonly ageSeconds: number;
  /** The lock is an older bosun's lock directory (no process holds it). */
  readonly legacy?: boolean;
}

/** Parse the owner line and the age line (`age=N`) printed after it. */
export function parseHeldLock(lines: readonly string[], legacy = false): HeldLock {
  let owner: Partial<LockOwner> | undefined;
  let ageSeconds = 0;
  for (const line of lines) {
    const age = /^age=(-?\d+)$/.exec(line);
    if (age) ageSeconds = Math.max(0, Number(age[1]));
    else if (line.trim().startsWith("{")) {
      try {
        owner = JSON.parse(line) as Partial<LockOwner>;
      } catch {
        owner = undefined;
      }
    }
  }
  return { ...(owner ? { owner } : {}), ageSeconds, ...(legacy ? { legacy } : {}) };
}

/** "alice@ci (tag sha-abc123, pid 4242) since 2024-05-01T10:00:00Z, 3 min ago". */
export function describeHolder(lock: HeldLock): string {
  const o = lock.owner;
  const minutes = Math.floor(lock.ageSeconds / 60);
  const age = minutes ? `${minutes} min ago` : `${lock.ageSeconds}s ago`;
  if (!o) return `an unknown deploy (its lock file is empty or unreadable), taken ${age}`;
  const pid = o.pid ? `, pid ${o.pid}` : lock.legacy ? ", an older bosun's lock directory" : "";
  return `${o.who ?? "unknown"} (tag ${o.tag ?? "?"}${pid}) since ${o.since ?? "?"}, ${age}`;
}

const EXIT_HELD = 3;
const EXIT_LEGACY = 4;

/**
 * The holding process: take the lock without waiting (exit 3 and print the holder when it is
 * held), write the owner line with its own pid, then hold it, writing a heartbeat to the channel
 * every second, until it is told to stop (TERM) or its session is gone (the write fails).
 * Run through `sh -c` so that neither the `exec 9>>` nor the `exit` touch a shared shell.
 */
export function holderCommand(appDir: string, owner: LockOwner): Command {
  const file = `${appDir}/${LOCK_FILE}`;
  const rest = JSON.stringify(owner).slice(1); // `"who":...}`: the pid goes first
  const script = sh`f=${file}; mkdir -p -- ${`${appDir}/.bosun`} || exit 1
age() { echo "age=$(( $(date +%s) - $(stat -c %Y -- "$1" 2>/dev/null || date +%s) ))"; }
if [ -d "$f" ]; then echo @@bosun:legacy; cat -- "$f/owner" 2>/dev/null; echo; age "$f"; exit ${EXIT_LEGACY}; fi
exec 9>>"$f" || exit 1
if ! flock -n 9; then echo @@bosun:held; cat -- "$f"; echo; age "$f"; exit ${EXIT_HELD}; fi
printf '{"pid":%s,%s\\n' "$$" ${rest} > "$f" || exit 1
trap ': > "$f"; exit 0' TERM INT HUP
while printf .; do sleep 1 9>&- & wait $!; done`;
  return { ...sh`sh -c ${script.text}`, label: `flock ${file} (held by this session until released)` };
}

/** The command that stops this deploy's holding process (when the lock file holds `token`). */
export function releaseLockCommand(p: { appDir: string; token: string }): Command {
  const file = `${p.appDir}/${LOCK_FILE}`;
  return sh`f=${file}; if grep -qF -- ${`"token":"${p.token}"`} "$f" 2>/dev/null; then pid=$(sed -n 's/^{"pid":\\([0-9]*\\),.*/\\1/p' "$f"); [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; echo released; else echo not-ours; fi`;
}

/** The command `--break-lock` runs: end the holder of a stale lock (or remove an older bosun's lock directory). */
export function breakLockCommand(appDir: string, staleSeconds: number): Command {
  const file = `${appDir}/${LOCK_FILE}`;
  return sh`f=${file}; age=$(( $(date +%s) - $(stat -c %Y -- "$f" 2>/dev/null || date +%s) ))
if [ "$age" -lt ${staleSeconds} ]; then echo young; exit 0; fi
echo @@bosun:broken; if [ -d "$f" ]; then cat -- "$f/owner" 2>/dev/null; echo; echo "age=$age"; rm -rf -- "$f"; exit 0; fi
cat -- "$f"; echo; echo "age=$age"
pid=$(sed -n 's/^{"pid":\\([0-9]*\\),.*/\\1/p' "$f"); [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
i=0; while [ $i -lt 50 ] && ! flock -n "$f" true; do sleep 0.1; i=$((i + 1)); done; true`;
}

/** The holding commands of the locks this process holds, by owner token (a task's output is data, not a promise). */
const holders = new Map<string, Promise<ExecResult>>();

/** A lock this deploy holds: its release stops the holding process ({@link holderEnded} waits for it). */
export interface LockHandle {
  /** Seconds spent waiting for another deploy. */
  readonly waitedSeconds: number;
  /** The stale lock that was broken, if any. */
  readonly broken?: HeldLock;
}

/** Parameters for {@link takeDeployLock}. */
export interface TakeDeployLockParams {
  /** The app dir; the lock is `<appDir>/.bosun/deploy.lock`. */
  readonly appDir: string;
  /** The owner record written into the lock. */
  readonly owner: LockOwner;
  /** Seconds to wait for a lock held by another deploy (0: fail at once). */
  readonly waitSeconds: number;
  /** Break a lock older than `staleMinutes` instead of waiting for it (`--break-lock`). */
  readonly breakStale?: boolean;
  /** Age in minutes from which `breakStale` may break a lock. */
  readonly staleMinutes: number;
}

type Exec = (command: Command) => Promise<ExecResult>;

/** Start the holder and see whether it got the lock: its record appears, or it ends saying who holds it. */
async function tryOnce(exec: Exec, p: TakeDeployLockParams): Promise<{ holder: Promise<ExecResult> } | { result: ExecResult }> {
  let ended: ExecResult | undefined;
  const holder = exec(holderCommand(p.appDir, p.owner));
  // A holder that ends with its connection rejects: that is an end too (the lock is gone with it).
  holder.then(
    (r) => (ended = r),
    (error: unknown) => (ended = { code: null, stdout: "", stderr: String(error), durationMs: 0 }),
  );
  const probe = sh`grep -qF -- ${`"token":"${p.owner.token}"`} ${`${p.appDir}/${LOCK_FILE}`} 2>/dev/null && echo ours`;
  for (let i = 0; ; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** i, 500)));
    if (ended) return { result: ended };
    if ((await exec(probe)).stdout.trim() === "ours") return { holder };
    if (i > 200) throw new Error(`the lock holder neither took the lock nor ended within a minute`);
  }
}

/**
 * Take the deploy lock, waiting for another deploy's lock up to `waitSeconds` (the controller
 * retries every second; an interrupt ends the wait at once). It reports ok: the lock is released
 * at the end of the same run. Not used in check mode (a check must not take the lock).
 * @example takeDeployLock({ appDir: "/srv/cfa", owner: newLockOwner("ci", "sha-abc123"), waitSeconds: 300, staleMinutes: 30 })
 */
export const takeDeployLock = defineTask<TakeDeployLockParams, LockHandle>({
  id: "deploy.takeLock",
  description: "Take the host-side deploy lock (flock held by this SSH session), waiting for another deploy's lock.",
  title: (p) => `deploy lock ${p.appDir}/${LOCK_FILE}`,
  schema: params(
    { appDir: absPath, owner: any, waitSeconds: { ...int, minimum: 0 }, staleMinutes: { ...int, minimum: 1 } },
    { breakStale: bool },
  ),
  async check(_host, p) {
    const file = `${p.appDir}/${LOCK_FILE}`;
    return changed<LockHandle>(
      [
        {
          label: `flock ${file} (wait up to ${p.waitSeconds}s)`,
          async run(h) {
            const signal = interruptSignal(h);
            const exec: Exec = (c) => h.exec(c);
            const start = Date.now();
            let broken: HeldLock | undefined;
            for (;;) {
              throwIfInterrupted(signal);
              const attempt = await tryOnce(exec, p);
              const waitedSeconds = Math.round((Date.now() - start) / 1000);
              if ("holder" in attempt) {
                holders.set(p.owner.token, attempt.holder);
                return { waitedSeconds, ...(broken ? { broken } : {}) };
              }
              const r = attempt.result;
              if (r.code !== EXIT_HELD && r.code !== EXIT_LEGACY)
                throw h.fail(`Cannot take the deploy lock ${file}: exit ${r.code}\n${(r.stderr || r.stdout).trim()}`);
              const sections = parseSections(r.stdout);
              const held = parseHeldLock(sectionLines(sections, r.code === EXIT_LEGACY ? "legacy" : "held"), r.code === EXIT_LEGACY);
              const isStale = held.ageSeconds >= p.staleMinutes * 60;
              if (p.breakStale && isStale && !broken) {
                const b = await h.exec(breakLockCommand(p.appDir, p.staleMinutes * 60));
                const lines = sectionLines(parseSections(b.stdout), "broken");
                if (lines.length) broken = parseHeldLock(lines, held.legacy);
                continue;
              }
              if (waitedSeconds >= p.waitSeconds) {
                throw h.fail(
                  `Cannot take the deploy lock ${file}: held by ${describeHolder(held)}; waited ${p.waitSeconds}s`,
                  isStale
                    ? `the lock is older than ${p.staleMinutes} min: if that deploy hangs, run again with --break-lock`
                    : p.breakStale
                      ? `--break-lock only breaks locks older than ${p.staleMinutes} min (lock_stale_minutes); wait for that deploy to finish`
                      : `wait for that deploy to finish, or raise lock_wait (seconds)`,
                );
              }
              await sleepUnlessInterrupted(1000, signal);
            }
          },
        },
      ],
      {
        finish: (results) => {
          const handle = results[0] as LockHandle;
          const notes = [
            handle.waitedSeconds > 0 ? `after waiting ${handle.waitedSeconds}s` : "",
            handle.broken ? `broke the stale lock of ${describeHolder(handle.broken)}` : "",
          ].filter(Boolean);
          return { changed: false, output: handle, message: `took the deploy lock${notes.length ? ` ${notes.join("; ")}` : ""}` };
        },
      },
    );
  },
});

/** Parameters for {@link releaseDeployLock}. */
export interface ReleaseDeployLockParams {
  /** The app dir. */
  readonly appDir: string;
  /** The token of the owner record this deploy wrote. */
  readonly token: string;
}

/** Wait (5 s at most) until the holding process of the lock `token` names ended: the lock is free then. */
export async function holderEnded(token: string): Promise<void> {
  const holder = holders.get(token);
  holders.delete(token);
  if (holder) await Promise.race([holder.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
}

/**
 * Release the deploy lock this deploy took (its lock file holds our token); a lock that another
 * deploy broke and took is left alone. Reports ok.
 * @example releaseDeployLock({ appDir: "/srv/cfa", token: owner.token })
 */
export const releaseDeployLock = defineTask<ReleaseDeployLockParams>({
  id: "deploy.releaseLock",
  description: "Release the deploy lock this deploy holds (its holding process ends).",
  title: (p) => `release deploy lock ${p.appDir}/${LOCK_FILE}`,
  schema: params({ appDir: absPath, token: { type: "string", pattern: "^[0-9a-f]+$" } }),
  async check(_host, p) {
    return changed(
      [
        {
          label: `stop the holder of ${p.appDir}/${LOCK_FILE}`,
          run: async (h) => ((await h.exec(releaseLockCommand(p))).stdout.trim() === "released" ? "released" : "not-ours"),
        },
      ],
      {
        finish: (results) => ({
          changed: false,
          message:
            results[0] === "released" ? "released the deploy lock" : "the lock was no longer ours (broken by another deploy); left alone",
        }),
      },
    );
  },
});
