/**
 * The host-side deploy lock: `mkdir <app_dir>/.bosun/deploy.lock` is atomic, so exactly one deploy
 * gets it; an `owner` file inside says who holds it, since when and for which tag. A second deploy
 * waits up to `lock_wait` seconds, then fails naming the holder. A lock older than
 * `lock_stale_minutes` may be broken with `--break-lock` (a deploy that died without releasing it).
 * Taking and releasing the lock leave the host as it was, so both report ok, never changed.
 */
import { randomBytes } from "node:crypto";
import { defineTask, changed } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, absPath, any, bool, int } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";

/** The lock directory, relative to the app dir. */
export const LOCK_DIR = ".bosun/deploy.lock";

/** Who holds a lock: written to `<lock>/owner` as one JSON line. */
export interface LockOwner {
  /** Who deploys. */
  readonly who: string;
  /** Tag being deployed (or "rollback"/"promotion" before it is known). */
  readonly tag: string;
  /** When the lock was taken (ISO, controller clock). */
  readonly since: string;
  /** Random token: only the deploy that took the lock releases it. */
  readonly token: string;
}

/** A fresh owner record for this deploy. */
export function newLockOwner(who: string, tag: string, now = new Date()): LockOwner {
  return { who, tag, since: now.toISOString(), token: randomBytes(8).toString("hex") };
}

/** A held lock as the host shows it. */
export interface HeldLock {
  /** The owner record, when the owner file could be read. */
  readonly owner?: Partial<LockOwner>;
  /** Age of the lock directory in seconds (host clock). */
  readonly ageSeconds: number;
}

/** Parse the owner file text and the age line (`age=N`) printed after it. */
export function parseHeldLock(lines: readonly string[]): HeldLock {
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
  return owner ? { owner, ageSeconds } : { ageSeconds };
}

/** "alice@ci (tag sha-abc123) since 2024-05-01T10:00:00Z, 3 min ago". */
export function describeHolder(lock: HeldLock): string {
  const o = lock.owner;
  const minutes = Math.floor(lock.ageSeconds / 60);
  const age = minutes ? `${minutes} min ago` : `${lock.ageSeconds}s ago`;
  if (!o) return `an unknown deploy (its owner file is missing or unreadable), taken ${age}`;
  return `${o.who ?? "unknown"} (tag ${o.tag ?? "?"}) since ${o.since ?? "?"}, ${age}`;
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

/** Output of {@link takeDeployLock}. */
export interface TakeDeployLockOutput {
  /** Seconds spent waiting for another deploy. */
  readonly waitedSeconds: number;
  /** The stale lock that was broken, if any. */
  readonly broken?: HeldLock;
}

const EXIT_HELD = 3;

/**
 * Take the deploy lock, waiting for another deploy's lock up to `waitSeconds`. ONE command that
 * loops on the host (`mkdir` until it succeeds or the wait is over), so it waits by design. It
 * reports ok: a lock is released at the end of the same run. Not used in check mode (a check
 * must not take the lock).
 * @example takeDeployLock({ appDir: "/srv/cfa", owner: newLockOwner("ci", "sha-abc123"), waitSeconds: 300, staleMinutes: 30 })
 */
export const takeDeployLock = defineTask<TakeDeployLockParams, TakeDeployLockOutput>({
  id: "deploy.takeLock",
  description: "Take the host-side deploy lock (atomic mkdir), waiting for another deploy's lock.",
  title: (p) => `deploy lock ${p.appDir}/${LOCK_DIR}`,
  schema: params(
    { appDir: absPath, owner: any, waitSeconds: { ...int, minimum: 0 }, staleMinutes: { ...int, minimum: 1 } },
    { breakStale: bool },
  ),
  async check(host, p) {
    const dir = `${p.appDir}/${LOCK_DIR}`;
    const stale = p.breakStale ? p.staleMinutes * 60 : -1;
    const owner = JSON.stringify(p.owner);
    const age = sh`now=$(date +%s); m=$(stat -c %Y -- "$d" 2>/dev/null || echo "$now"); age=$((now - m))`;
    const take = sh`d=${dir}; mkdir -p -- ${`${p.appDir}/.bosun`} || exit 1; start=$(date +%s)
while ! mkdir -- "$d" 2>/dev/null; do
  ${age}
  if [ ${stale} -ge 0 ] && [ "$age" -ge ${stale} ]; then
    b="$d.broken.$$"
    if mv -T -- "$d" "$b" 2>/dev/null; then echo @@bosun:broken; cat -- "$b/owner" 2>/dev/null; echo; echo "age=$age"; rm -rf -- "$b"; fi
    continue
  fi
  if [ $(( $(date +%s) - start )) -ge ${p.waitSeconds} ]; then echo @@bosun:held; cat -- "$d/owner" 2>/dev/null; echo; echo "age=$age"; exit ${EXIT_HELD}; fi
  sleep 1
done
printf '%s\\n' ${owner} > "$d/owner" || { rmdir -- "$d"; exit 1; }
echo @@bosun:taken; echo "waited=$(( $(date +%s) - start ))"`;
    return changed(
      [
        {
          label: `take ${dir} (wait up to ${p.waitSeconds}s)`,
          async run(h) {
            const r: ExecResult = await h.exec({ ...take, label: `mkdir ${dir} (deploy lock)` });
            const s = parseSections(r.stdout);
            if (r.code === EXIT_HELD) {
              const held = parseHeldLock(sectionLines(s, "held"));
              const isStale = held.ageSeconds >= p.staleMinutes * 60;
              throw h.fail(
                `Cannot take the deploy lock ${dir}: held by ${describeHolder(held)}; waited ${p.waitSeconds}s`,
                isStale
                  ? `the lock is older than ${p.staleMinutes} min: if that deploy is dead, run again with --break-lock`
                  : p.breakStale
                    ? `--break-lock only breaks locks older than ${p.staleMinutes} min (lock_stale_minutes); wait for that deploy to finish`
                    : `wait for that deploy to finish, or raise lock_wait (seconds)`,
              );
            }
            if (r.code !== 0) throw h.fail(`Cannot take the deploy lock ${dir}: exit ${r.code}\n${(r.stderr || r.stdout).trim()}`);
            return r;
          },
        },
      ],
      {
        finish: (results) => {
          const s = parseSections((results[0] as ExecResult).stdout);
          const waitedSeconds = Number(/^waited=(\d+)$/.exec(sectionLines(s, "taken")[0] ?? "")?.[1] ?? 0);
          const broken = s.has("broken") ? parseHeldLock(sectionLines(s, "broken")) : undefined;
          const notes = [
            waitedSeconds > (broken ? 1 : 0) ? `after waiting ${waitedSeconds}s` : "",
            broken ? `broke the stale lock of ${describeHolder(broken)}` : "",
          ].filter(Boolean);
          return {
            changed: false,
            output: { waitedSeconds, ...(broken ? { broken } : {}) },
            message: `took the deploy lock${notes.length ? ` ${notes.join("; ")}` : ""}`,
          };
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

/** The one command that releases the lock when its owner file holds `token`. */
export function releaseLockCommand(p: ReleaseDeployLockParams): ReturnType<typeof sh> {
  const dir = `${p.appDir}/${LOCK_DIR}`;
  return sh`d=${dir}; if [ -f "$d/owner" ] && grep -qF -- ${`"token":"${p.token}"`} "$d/owner"; then rm -rf -- "$d" && echo released; else echo not-ours; fi`;
}

/**
 * Release the deploy lock this deploy took (its owner file holds our token); a lock that another
 * deploy broke and took is left alone. One command; reports ok.
 * @example releaseDeployLock({ appDir: "/srv/cfa", token: owner.token })
 */
export const releaseDeployLock = defineTask<ReleaseDeployLockParams>({
  id: "deploy.releaseLock",
  description: "Release the deploy lock this deploy holds.",
  title: (p) => `release deploy lock ${p.appDir}/${LOCK_DIR}`,
  schema: params({ appDir: absPath, token: { type: "string", pattern: "^[0-9a-f]+$" } }),
  async check(_host, p) {
    return changed([releaseLockCommand(p)], {
      finish: (results) => {
        const out = (results[0] as ExecResult).stdout.trim();
        return {
          changed: false,
          message: out === "released" ? "released the deploy lock" : "the lock was no longer ours (broken by another deploy); left alone",
        };
      },
    });
  },
});
