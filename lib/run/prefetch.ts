/**
 * Check prefetch: a no-op run in one round trip per host. A task's `check` only reads the host, so
 * the check commands the last run of this playbook sent to a host (kept by prefetch-cache.ts) are
 * sent ahead in one batch (prefetch-batch.ts) when the host's first check starts. A check command
 * that is byte-identical to one sent ahead takes its answer instead of a round trip, once, and only
 * while nothing has changed the host in this run: the first task that applies anything (and any
 * command run outside a task's check) drops every answer still unused, and checks go live. Answers
 * are therefore never older than the run and never outlive a change the run made.
 */
import path from "node:path";
import type { Command } from "../core/command.js";
import type { Connection, ConnectionSpec, ExecResult } from "../core/connection.js";
import type { Vars } from "../core/vars.js";
import { takeChecksAhead } from "./checks-ahead.js";
import { noteKeptChecks } from "./kept-checks.js";
import { runBatch } from "./prefetch-batch.js";
import { warmWhileWaiting } from "./warm-while-waiting.js";
import {
  isPrefetchable,
  bosunCacheDir,
  prefetchCacheFile,
  readCheckCommands,
  writeCheckCommands,
  type PrefetchCacheKey,
} from "./prefetch-cache.js";

/** How a run prefetches. */
export interface PrefetchSettings {
  /** Playbook name (part of the cache key). */
  readonly playbook: string;
  /** The controller's cache directory ({@link bosunCacheDir} when omitted); lists go in `prefetch/` there. */
  readonly cacheDir?: string;
}

/** Answers sent ahead for one host in one run, and the check commands it sends. */
export class HostPrefetch {
  readonly #file: string;
  #connection: Connection | undefined;
  #answers: Promise<Map<string, ExecResult[]>> | undefined;
  #dropped = false;
  readonly #sent: string[] = [];
  readonly #seen = new Set<string>();
  /** The list as the cache file held it when this run read it. */
  #read: readonly string[] | undefined;
  /** Check commands answered from the batch so far. */
  used = 0;
  /** Commands sent ahead in the batch (0 until it ran). */
  sentAhead = 0;
  /** Whether the batch went out at the program's start, on a kept connection (checks-ahead.ts). */
  sentAtStart = false;

  constructor(file: string) {
    this.#file = file;
  }

  /**
   * The answer to a check command run on `connection`: sent ahead and still valid, or undefined
   * (run it live). Records the command for the next run either way.
   */
  async answer(command: Command, connection: Connection): Promise<ExecResult | undefined> {
    if (!isPrefetchable(command)) return undefined;
    this.#connection ??= connection;
    if (this.#connection !== connection) return undefined; // another login (a play with other settings): live
    if (!this.#seen.has(command.text)) {
      this.#seen.add(command.text);
      this.#sent.push(command.text);
    }
    if (this.#dropped) return undefined;
    this.#answers ??= this.#fetch(connection);
    const answers = await this.#answers;
    if (this.#dropped) return undefined;
    const queue = answers.get(command.text);
    const result = queue?.shift(); // once each: a second identical check (a retry, a poll) goes live
    if (result) this.used++;
    return result;
  }

  /**
   * Send the batch now, on `connection` (just opened): it travels while the first task validates its
   * parameters and plans, instead of after. Nothing of the run has touched the host yet.
   */
  sendAhead(connection: Connection): void {
    this.#connection ??= connection;
    if (this.#connection !== connection || this.#dropped || this.#answers) return;
    this.#answers = this.#fetch(connection);
    this.#answers.catch(() => undefined); // a play that runs no check never awaits it; one that does gets the failure
  }

  /** Something may have changed the host: every answer still unused is dropped. */
  hostChanged(): void {
    this.#dropped = true;
    this.#answers = undefined;
  }

  async #fetch(connection: Connection): Promise<Map<string, ExecResult[]>> {
    const texts = await readCheckCommands(this.#file);
    this.#read = texts;
    const map = new Map<string, ExecResult[]>();
    if (texts.length === 0 || this.#dropped) return map;
    const kept = connection.keptKey;
    if (kept) noteKeptChecks(this.#file, kept);
    const ahead = kept ? takeChecksAhead(this.#file, texts, kept) : undefined;
    const pending = ahead
      ? ahead.then((answers) => {
          this.sentAtStart = answers !== undefined;
          return answers ?? runBatch(connection, texts);
        })
      : runBatch(connection, texts);
    warmWhileWaiting();
    const results = await pending;
    this.sentAhead = texts.length;
    texts.forEach((text, i) => {
      const r = results[i];
      if (r) map.set(text, [...(map.get(text) ?? []), r]);
    });
    return map;
  }

  /** Keep this run's check commands for the next run (only when the host ran any, and only when they differ from the list read). */
  async save(): Promise<void> {
    const unchanged = this.#read?.length === this.#sent.length && this.#sent.every((text, i) => this.#read?.[i] === text);
    if (this.#sent.length && !unchanged) await writeCheckCommands(this.#file, this.#sent);
  }
}

/** The prefetch of one run: one {@link HostPrefetch} per inventory host, shared by its plays. */
export class RunPrefetch {
  readonly #dir: string;
  readonly #hosts = new Map<string, HostPrefetch>();

  constructor(readonly settings: PrefetchSettings) {
    this.#dir = path.join(settings.cacheDir ?? bosunCacheDir(), "prefetch");
  }

  /** The prefetch of `host`, reached as `target` (the first play that reaches it decides). */
  forHost(host: string, target: string): HostPrefetch {
    let found = this.#hosts.get(host);
    if (!found) {
      const key: PrefetchCacheKey = { playbook: this.settings.playbook, host, target };
      found = new HostPrefetch(prefetchCacheFile(this.#dir, key));
      this.#hosts.set(host, found);
    }
    return found;
  }

  /** Write every host's list; a cache that cannot be written only costs the next run its prefetch. */
  async save(): Promise<void> {
    await Promise.allSettled([...this.#hosts.values()].map((h) => h.save()));
  }
}

/** How a host is reached, without secrets, for the cache key (`ssh deploy@10.0.0.5:22`, `local`). */
export function prefetchTarget(spec: ConnectionSpec): string {
  return spec.kind === "ssh" ? `ssh ${spec.user}@${spec.host}:${spec.port}` : "local";
}

/** False when the host's variables turn prefetch off (`bosun_prefetch: false`). */
export function prefetchWanted(vars: Vars): boolean {
  const v = vars.bosun_prefetch;
  return !(v === false || v === 0 || (typeof v === "string" && /^(false|no|off|0)$/i.test(v)));
}
