/**
 * How bosun runs apt-get: noninteractive, keeping changed config files, waiting for a lock held by
 * another apt/dpkg run and, when the wait times out, failing with the name of the process that
 * holds it. Shared by apt, aptRepository and aptUpgrade.
 */
import { sh, raw, type Command } from "../../core/command.js";
import type { ActionStep, TaskHost } from "../../core/task.js";
import type { ExecResult } from "../../core/connection.js";
import { APT_UPDATE_STAMP } from "../../facts/packages.js";

/** Seconds an apt task waits for a dpkg or apt lists lock by default (Ansible's `lock_timeout`). */
export const DEFAULT_LOCK_TIMEOUT = 60;

/** The locks apt and dpkg take. */
export const APT_LOCKS = [
  "/var/lib/dpkg/lock-frontend",
  "/var/lib/dpkg/lock",
  "/var/lib/apt/lists/lock",
  "/var/cache/apt/archives/lock",
] as const;

const HOLDER_MARKER = "@@bosun-lock-holder";

/** `-y -q`, the lock wait and `--force-confdef --force-confold`: what every apt-get run gets. */
export function aptGetOptions(lockTimeoutSeconds: number, installRecommends = false): Command {
  const recommends = installRecommends ? raw("") : raw(" --no-install-recommends");
  return sh`-y -q -o DPkg::Lock::Timeout=${lockTimeoutSeconds} -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold${recommends}`;
}

/**
 * Shell functions for an apt script: `bosun_update [apt-get options]` refreshes the lists (apt-get
 * update does not wait for the lists lock, so it retries until the timeout; any fetch error is an
 * error) and `bosun_holders` prints who holds apt's locks (from /proc/locks: POSIX and flock locks).
 */
function functions(lockTimeoutSeconds: number): Command {
  const locks = raw(APT_LOCKS.map((l) => `'${l}'`).join(" "));
  return sh`export DEBIAN_FRONTEND=noninteractive APT_LISTCHANGES_FRONTEND=none
bosun_holders() {
  for l in ${locks}; do
    [ -e "$l" ] || continue
    i=$(stat -c %i -- "$l")
    for p in $(awk -v i="$i" '!/->/ { n = split($6, a, ":"); if (a[n] == i && $5 > 0) print $5 }' /proc/locks | sort -u); do
      printf '%s\\t%s\\t%s\\t%s\\n' ${HOLDER_MARKER} "$l" "$p" "$(tr '\\0' ' ' < /proc/"$p"/cmdline 2>/dev/null)" >&2
    done
  done
}
bosun_update() {
  end=$(( $(date +%s) + ${lockTimeoutSeconds} ))
  while :; do
    out=$(apt-get update -q -o APT::Update::Error-Mode=any "$@" 2>&1); rc=$?
    if [ "$rc" = 0 ]; then printf '%s\\n' "$out"; return 0; fi
    case $out in *"Could not get lock"*) if [ "$(date +%s)" -lt "$end" ]; then sleep 1; continue; fi ;; esac
    printf '%s\\n' "$out" >&2
    return "$rc"
  done
}
bosun_full_update() { bosun_update && mkdir -p -- /var/lib/apt/periodic && touch -- ${APT_UPDATE_STAMP}; }
`;
}

/** A script around `body`: the functions, the body, and on failure the lock holders on stderr. */
export function aptScript(body: Command, lockTimeoutSeconds: number): Command {
  return { text: `${functions(lockTimeoutSeconds).text}{ ${body.text}\n}; rc=$?; [ "$rc" = 0 ] || bosun_holders; exit "$rc"` };
}

/** A process holding one of apt's locks. */
export interface LockHolder {
  /** The lock file. */
  readonly lock: string;
  /** Process id. */
  readonly pid: number;
  /** Its command line. */
  readonly command: string;
}

/** The lock holders a failed {@link aptScript} printed. */
export function parseLockHolders(stderr: string): LockHolder[] {
  return stderr
    .split("\n")
    .filter((l) => l.startsWith(`${HOLDER_MARKER}\t`))
    .map((l) => {
      const [, lock = "", pid = "0", command = ""] = l.split("\t");
      return { lock, pid: Number(pid), command: command.trim() };
    });
}

/** Why an apt script failed, in one sentence, and a hint. */
export function explainAptFailure(result: ExecResult, lockTimeoutSeconds: number): { reason: string; hint?: string } {
  const text = `${result.stdout}\n${result.stderr}`;
  const lockFailed = /Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock/.test(text);
  const holders = parseLockHolders(result.stderr);
  if (lockFailed) {
    const who = holders.length
      ? holders.map((h) => `${h.lock} is held by process ${h.pid} (${h.command || "?"})`).join("; ")
      : "an apt/dpkg lock is held by another process";
    return {
      reason: `${who}; waited ${lockTimeoutSeconds} s`,
      hint: "another apt or dpkg run (unattended-upgrades, cloud-init, a person) is busy: try again later or raise lockTimeoutSeconds",
    };
  }
  if (/dpkg was interrupted/.test(text)) {
    return { reason: "dpkg was interrupted earlier and the package database needs repair", hint: "run `dpkg --configure -a` on the host" };
  }
  const lines = result.stderr.split("\n").filter((l) => l.trim() && !l.startsWith(HOLDER_MARKER) && !/^(W: |N: )/.test(l));
  const errors = lines.filter((l) => /^E: /.test(l));
  const why = (errors.length ? errors : lines).slice(-4).join("\n") || `exit ${result.code}`;
  return { reason: `apt-get failed (exit ${result.code}):\n${why}` };
}

/** What {@link aptStep} runs: the apt commands, the lock wait, and how a failure reads. */
export interface AptScript {
  /** What the task does, for the failure message: `Cannot <what>: ...`. */
  readonly what: string;
  /** The apt commands. */
  readonly body: Command;
  /** Seconds to wait for a dpkg/apt lock another process holds. */
  readonly lockTimeoutSeconds: number;
  /** The hint of failures other than a held lock. */
  readonly failureHint?: string;
}

/**
 * A plan step that runs an apt script and, when it fails, fails the task with a clear message:
 * `Cannot <what>: /var/lib/dpkg/lock-frontend is held by process 366 (python3 ...); waited 60 s`.
 * Its result (the ExecResult) goes to the plan's `finish`. `failureHint` is the hint of other failures.
 */
export function aptStep(label: string, apt: AptScript): ActionStep {
  const { what, body, lockTimeoutSeconds, failureHint } = apt;
  const script = aptScript(body, lockTimeoutSeconds);
  return {
    label,
    async run(host: TaskHost) {
      const result = await host.exec({ ...script, label });
      if (result.code !== 0) {
        const { reason, hint } = explainAptFailure(result, lockTimeoutSeconds);
        throw host.fail(`Cannot ${what}: ${reason}`, hint ?? failureHint);
      }
      return result;
    },
  };
}

/** Whether a step result is an ExecResult (for `finish`). */
export function isExecResult(value: unknown): value is ExecResult {
  return !!value && typeof value === "object" && typeof (value as ExecResult).stdout === "string";
}
