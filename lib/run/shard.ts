/**
 * Shards: `--shard i/n` runs the hosts of shard i of n, so that n CI jobs (GitLab `parallel: n`,
 * a GitHub matrix) share one fleet. A host's shard is chosen by rendezvous (highest random
 * weight) hashing of its name: it depends on the name and n only, so adding or removing hosts
 * never moves another host, and changing n moves only about 1/n of them.
 */
import { createHash } from "node:crypto";
import { BosunError } from "../core/errors.js";
import type { Playbook } from "./playbook.js";

/** Shard `index` (1-based) of `total`. */
export interface Shard {
  /** Which shard, 1..total. */
  readonly index: number;
  /** How many shards. */
  readonly total: number;
}

/** The rendezvous weight of `host` for shard `index`: the first 48 bits of a SHA-256. */
function weight(host: string, index: number): number {
  return createHash("sha256").update(`${index}\u0000${host}`).digest().readUIntBE(0, 6);
}

/** The shard (1..total) that `host` belongs to. */
export function shardOfHost(host: string, total: number): number {
  let best = 1;
  let bestWeight = -1;
  for (let index = 1; index <= total; index++) {
    const w = weight(host, index);
    if (w > bestWeight) [best, bestWeight] = [index, w];
  }
  return best;
}

/** True when `host` runs in `shard` (always true without a shard). */
export function inShard(host: string, shard: Shard | undefined): boolean {
  return !shard || shard.total === 1 || shardOfHost(host, shard.total) === shard.index;
}

/** Parse `i/n` (1 <= i <= n); undefined when the text is not of that shape. */
export function parseShard(text: string): Shard | undefined {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[1]);
  const total = Number(m[2]);
  return index >= 1 && index <= total ? { index, total } : undefined;
}

/**
 * Refuse to shard a playbook whose plays order hosts (`serial`, e.g. deploy's one host at a
 * time): shards run at once in separate jobs, so each would keep its own order and n hosts would
 * be down together.
 */
export function assertShardable(book: Playbook, shard: Shard): void {
  if (shard.total === 1) return;
  const ordered = book.plays.filter((p) => p.serial !== undefined);
  if (ordered.length === 0) return;
  const names = ordered.map((p) => `"${p.name}" (serial: ${JSON.stringify(p.serial)})`).join(", ");
  throw new BosunError(`Cannot run --shard ${shard.index}/${shard.total}: play ${names} orders its hosts, and shards run at once`, {
    hint: "Run this playbook in one job (no --shard); shard only playbooks without serial, such as bootstrap or a --check drift run.",
  });
}
