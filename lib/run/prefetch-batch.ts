/**
 * Many read-only commands in one round trip: one `/bin/sh` that reads a script on stdin and runs
 * each command in its own `/bin/sh -c` child with stdin from /dev/null, framed exactly as the shell
 * session frames a single command (see lib/connection/shell-session.ts), so each answer is the
 * same bytes and exit status the command would give on its own.
 */
import { randomBytes } from "node:crypto";
import type { Connection, ExecResult } from "../core/connection.js";
import { quote } from "../core/command.js";
import { framedCommand, StreamCollector } from "../connection/shell-session.js";

/** A batch script up to this size travels as an argument (Linux allows 128 KiB per argument); a larger one on stdin. */
export const BATCH_ARGUMENT_LIMIT = 96 * 1024;

/** The script that runs `texts` one after another, each followed by its token `<prefix>-<i>`. */
export function batchScript(texts: readonly string[], prefix: string): string {
  return texts.map((text, i) => framedCommand({ text }, `${prefix}-${i}`)).join("");
}

/** Split a batch's output into one result per command; undefined for a command whose token never came. */
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
    results.push({ code: o.code, stdout: o.output.toString("utf8"), stderr: e.output.toString("utf8"), durationMs: 0 });
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
  const command =
    script.length <= BATCH_ARGUMENT_LIMIT ? { text: `/bin/sh -c ${quote(script)}`, label } : { text: "/bin/sh", stdin: script, label };
  const result = await connection.exec(command);
  return splitBatchOutput(result, texts.length, prefix);
}
