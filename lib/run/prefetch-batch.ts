/**
 * Many read-only commands in one round trip: one `/bin/sh` that runs each command in a subshell of
 * its own, `( eval '<command>' ) </dev/null`, framed exactly as the shell session frames a single
 * command (see lib/connection/shell-session.ts), so each answer is the same bytes and exit status
 * the command gives on its own. A subshell is a fork of the batch's shell, not a new `/bin/sh`
 * (no exec, no dynamic loading): about a fifth less CPU per check on the host. Nothing a command
 * sets (variables, `cd`, `exit`, `set -e`) leaves its subshell, stdin is /dev/null, and `eval`
 * confines a syntax error to the command that has it.
 *
 * Where the subshell is not the same as a new shell:
 * - dash names `eval` in its own diagnostics (`/bin/sh: 1: eval: x: not found` instead of
 *   `/bin/sh: 1: x: not found`): an answer whose stderr says `eval: ` is not used (the check runs live);
 * - `$$` is the batch's shell (a command that kills `$$` ends the batch: its answer and the ones
 *   after it never come, and those checks run live), `$PPID` its parent;
 * - bash, zsh, ksh and yash (a /bin/sh other than dash, none on Debian or Ubuntu) number lines and
 *   set statuses differently inside `eval`: there each command runs in `/bin/sh -c` as before.
 */
import { randomBytes } from "node:crypto";
import type { Connection, ExecResult } from "../core/connection.js";
import { quote } from "../core/command.js";
import { framedCommand, StreamCollector } from "../connection/shell-session.js";

/** A batch script that quotes to at most this size travels as an argument (Linux allows 128 KiB per argument); a larger one on stdin. */
export const BATCH_ARGUMENT_LIMIT = 96 * 1024;

/** The variable that holds `/bin/sh -c` where the batch's shell is not dash-like (unset elsewhere). */
const RUNNER = "bosun_batch_sh";

/**
 * The batch's first lines: under bash, zsh, ksh or yash each command runs in `/bin/sh -c`; under
 * dash, a script read from stdin turns off `-s` so `$-` reads as under `/bin/sh -c`.
 */
const BATCH_HEADER =
  `unset ${RUNNER}; case \${BASH_VERSION-}\${ZSH_VERSION-}\${KSH_VERSION-}\${YASH_VERSION-} in ` +
  `?*) ${RUNNER}='/bin/sh -c';; *) case $- in *s*) set +s;; esac;; esac\n`;

/** One command of the batch: its subshell, then the same token lines as {@link framedCommand}. */
function subshellCommand(text: string, token: string): string {
  const framed = framedCommand({ text }, token);
  const alone = `/bin/sh -c ${quote(text)} </dev/null\n`;
  if (!framed.startsWith(alone))
    throw new Error(`Cannot frame a batch command: the shell session's framing changed (${JSON.stringify(framed.slice(0, 60))})`);
  return `( \${${RUNNER}:-eval} ${quote(text)} ) </dev/null\n${framed.slice(alone.length)}`;
}

/** The script that runs `texts` one after another, each followed by its token `<prefix>-<i>`. */
export function batchScript(texts: readonly string[], prefix: string): string {
  return BATCH_HEADER + texts.map((text, i) => subshellCommand(text, `${prefix}-${i}`)).join("");
}

/** Dash's diagnostics inside the batch's `eval` ("/bin/sh: 1: eval: x: not found"), which a command alone would not print. */
function mayNameEval(stderr: string): boolean {
  return stderr.includes("eval: ");
}

/**
 * Split a batch's output into one result per command: undefined for a command whose token never
 * came (nor any after it), and for one whose stderr may differ from the command's alone (see above).
 */
export function splitBatchOutput(output: { stdout: string; stderr: string }, count: number, prefix: string): (ExecResult | undefined)[] {
  const out = new StreamCollector();
  const err = new StreamCollector();
  out.push(Buffer.from(output.stdout, "utf8"));
  err.push(Buffer.from(output.stderr, "utf8"));
  const results: (ExecResult | undefined)[] = [];
  let lost = false;
  for (let i = 0; i < count; i++) {
    const o = lost ? undefined : out.takeUntil(`${prefix}-${i}`, true);
    const e = lost ? undefined : err.takeUntil(`${prefix}-${i}`, false);
    if (!o || !e || !Number.isInteger(o.code)) {
      lost = true;
      results.push(undefined);
      continue;
    }
    const stderr = e.output.toString("utf8");
    results.push(mayNameEval(stderr) ? undefined : { code: o.code, stdout: o.output.toString("utf8"), stderr, durationMs: 0 });
  }
  return results;
}

/** Run `texts` over `connection` as one command (one round trip on a shell session); one result each. */
export async function runBatch(connection: Connection, texts: readonly string[]): Promise<(ExecResult | undefined)[]> {
  if (texts.length === 0) return [];
  const prefix = `bosun-batch-${randomBytes(12).toString("hex")}`;
  const script = batchScript(texts, prefix);
  const label = `(${texts.length} checks sent ahead)`;
  // As an argument, the batch needs no stdin, so it follows the shell session's probe without waiting for it.
  // Its text is the script itself: every connection runs a command's text in `/bin/sh -c`, so wrapping
  // it in another `/bin/sh -c` would cost the host a shell and quote every quote of it once more
  // (four characters each, and four times that inside the session's first request).
  const command = quote(script).length <= BATCH_ARGUMENT_LIMIT ? { text: script, label } : { text: "/bin/sh", stdin: script, label };
  const result = await connection.exec(command);
  return splitBatchOutput(result, texts.length, prefix);
}
