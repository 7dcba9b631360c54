/**
 * The release history on the host: `<app_dir>/.bosun/releases.jsonl`, one JSON record per deploy
 * that changed something or failed. The live release is the newest successful record; the
 * previous good release is the newest successful one with another tag.
 */
import { defineTask, changed } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, absPath, any, int } from "../../lib/core/params.js";

/** What a deploy did, as the history keeps it. */
export interface ReleaseRecord {
  /** When the deploy ended (ISO, UTC, from the controller). */
  readonly time: string;
  /** The image tag deployed (or attempted). */
  readonly tag: string;
  /** Its images pinned by digest: service → `repo@sha256:...` (what `--rollback` deploys). */
  readonly images?: Readonly<Record<string, string>>;
  /** `success`: the tag runs and passed its readiness gates; `failed`: it does not run. */
  readonly result: "success" | "failed";
  /** `deploy` (--tag), `rollback` (--rollback) or `promote` (--promote-from). */
  readonly action: "deploy" | "rollback" | "promote";
  /** Who deployed. */
  readonly who: string;
  /** Git commit of the release (`--sha`, or the promoted record's). */
  readonly sha?: string;
  /** The live tag before this deploy. */
  readonly previous?: string;
  /** Only these services were deployed (`--services`). */
  readonly services?: readonly string[];
  /** Inventory a promotion came from. */
  readonly from?: string;
  /** Why it failed. */
  readonly reason?: string;
  /** After a failure: the tag rolled back to, and whether it was ready again. */
  readonly rolledBackTo?: string;
  readonly rollbackResult?: "success" | "failed";
}

/** The history file, relative to the app dir. */
export const HISTORY_FILE = ".bosun/releases.jsonl";

/** Parse history lines (newest last); lines that are not records are skipped. */
export function parseHistory(lines: readonly string[]): ReleaseRecord[] {
  const out: ReleaseRecord[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as Partial<ReleaseRecord>;
      if (typeof r.tag === "string" && (r.result === "success" || r.result === "failed")) out.push(r as ReleaseRecord);
    } catch {
      // A line cut by a full disk or edited by hand: ignore it rather than fail every deploy.
    }
  }
  return out;
}

/** The live release: the newest successful record. */
export function liveRelease(history: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.result === "success") return history[i];
  return undefined;
}

/** Whether two records are the same release: same tag and, when both pinned them, the same digests (a moving tag re-pushed is another release). */
export function sameRelease(a: Pick<ReleaseRecord, "tag" | "images">, b: Pick<ReleaseRecord, "tag" | "images">): boolean {
  if (a.tag !== b.tag) return false;
  if (!a.images || !b.images) return true;
  const keys = Object.keys(a.images).sort();
  return JSON.stringify(keys) === JSON.stringify(Object.keys(b.images).sort()) && keys.every((k) => a.images![k] === b.images![k]);
}

/** Every digest reference the successful records name (what an image prune keeps). */
export function recordedDigests(history: readonly ReleaseRecord[]): string[] {
  return [...new Set(history.filter((r) => r.result === "success").flatMap((r) => Object.values(r.images ?? {})))].sort();
}

/**
 * The release `--rollback` goes back to: the newest successful record that is not the live
 * release (another tag, or the same moving tag with other digests). Rolling back twice therefore returns to where you were (like `cd -`); to go further back,
 * deploy that tag with `--tag`.
 */
export function previousGoodRelease(history: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  const live = liveRelease(history);
  if (!live) return undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const r = history[i]!;
    if (r.result === "success" && !sameRelease(r, live)) return r;
  }
  return undefined;
}

/** One history line (no newline): the record as compact JSON, keys in a fixed order, no undefined. */
export function historyLine(record: ReleaseRecord): string {
  return JSON.stringify(record);
}

/** Parameters for {@link recordRelease}. */
export interface RecordReleaseParams {
  /** The app dir; the history is `<appDir>/.bosun/releases.jsonl`. */
  readonly appDir: string;
  /** The record to append. */
  readonly record: ReleaseRecord;
  /** Keep at most this many records (older ones are dropped). */
  readonly keep: number;
}

/**
 * Append a record to the release history and keep the last `keep` records. It always changes the
 * host (in check mode: would record), in one command; the trim rewrites the file through a temp
 * file and a rename.
 * @example recordRelease({ appDir: "/srv/cfa", record: { time, tag: "sha-abc123", result: "success", action: "deploy", who: "ci" }, keep: 100 })
 */
export const recordRelease = defineTask<RecordReleaseParams>({
  id: "deploy.recordRelease",
  description: "Append a record to <app_dir>/.bosun/releases.jsonl and keep the last N.",
  title: (p) => `release history: ${p.record.tag} ${p.record.result}`,
  schema: params({ appDir: absPath, record: any, keep: { ...int, minimum: 1 } }),
  async check(_host, p) {
    const file = `${p.appDir}/${HISTORY_FILE}`;
    const line = historyLine(p.record);
    const append = sh`mkdir -p -- ${`${p.appDir}/.bosun`} && printf '%s\n' ${line} >> ${file} && if [ "$(wc -l < ${file})" -gt ${p.keep} ]; then t=$(mktemp -- ${`${file}.XXXXXX`}) && tail -n ${p.keep} -- ${file} > "$t" && chmod 0644 -- "$t" && mv -f -- "$t" ${file}; fi`;
    return changed([{ ...append, label: `append to ${file}: ${line}` }], {
      message: `recorded ${p.record.action} of ${p.record.tag}: ${p.record.result}`,
    });
  },
});
