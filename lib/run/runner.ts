/**
 * The runner: plays in order; within a play, hosts run concurrently (forks) in serial batches,
 * tasks in order per host. A failed host stops, the others carry on; unreachable hosts are
 * reported apart from failed ones. One connection per host for the whole run.
 */
import type { Connection, ConnectionSpec } from "../core/connection.js";
import { createConnection } from "../connection/connect.js";
import { KeepingSshConnection } from "../connection/keeper/keeping-ssh.js";
import type { Inventory, Vars } from "../inventory/types.js";
import { selectHosts } from "../inventory/index.js";
import { connectionKey, hostSettings, type HostSettings } from "./host-settings.js";
import type { TaskGate } from "./task-gate.js";
import { BosunError, InterruptedError, UnreachableError, describeError } from "../core/errors.js";
import { RunEvents } from "../core/events.js";
import { Host, SKIPPED_BY_TAGS, TaskFailedError, type Handler } from "./host.js";
import type { PlayDefinition, Playbook } from "./playbook.js";
import { countResult, emptyStats, exitCodeOf, type RunReport } from "../core/report.js";
import { mask } from "../core/secrets.js";
import { assertShardable, inShard, type Shard } from "./shard.js";
import { RunPrefetch, prefetchTarget, prefetchWanted } from "./prefetch.js";

/** How to run a playbook. */
export interface RunOptions {
  /** The loaded inventory. */
  readonly inventory: Inventory;
  /** `--limit` pattern. */
  readonly limit?: string;
  /** `--shard i/n`: only the hosts of this shard, after the limit (plays with `serial` refuse). */
  readonly shard?: Shard;
  /** `--check`: plan only, never apply. */
  readonly check?: boolean;
  /** `--diff`: content diffs in results. */
  readonly diff?: boolean;
  /** `--tags`. */
  readonly tags?: readonly string[];
  /** `--skip-tags`. */
  readonly skipTags?: readonly string[];
  /** Hosts at once (10). */
  readonly forks?: number;
  /** `-e` vars: above everything. */
  readonly extraVars?: Vars;
  /** Defaults below the inventory (ansible-playbook's `-u`, `-b`, `--private-key` ...). */
  readonly defaultVars?: Vars;
  /** Asked before each task (`--start-at-task`, `--step`, listing). */
  readonly gate?: TaskGate;
  /** Subscribe renderers here; a fresh bus when omitted. */
  readonly events?: RunEvents;
  /** Abort to interrupt: running commands finish, nothing new starts. */
  readonly signal?: AbortSignal;
  /** How to open a connection for a host (default: ssh or local from the inventory). */
  readonly connect?: (spec: ConnectionSpec, host: string) => Connection;
  /**
   * Send the checks of the last run ahead in one batch per host (see prefetch.ts). Off by default
   * here (it keeps a list per playbook and host in the cache directory); the CLI turns it on unless
   * `--no-prefetch`; `bosun_prefetch: false` turns it off per host.
   */
  readonly prefetch?: boolean;
  /** The controller's cache directory, for the prefetch lists (`$BOSUN_CACHE_DIR`, else `~/.cache/bosun`). */
  readonly cacheDir?: string;
}

/** Run `items` with at most `limit` at once. */
async function withConcurrency<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await worker(item);
    }
  });
  await Promise.all(lanes);
}

/** Split hosts into serial batches (Ansible's `serial`: a number, "N%", or a list of them, the last repeating). */
export function serialBatches(hosts: readonly string[], serial: PlayDefinition["serial"]): string[][] {
  if (serial === undefined) return [hosts.slice()];
  const sizes = Array.isArray(serial) ? serial : [serial];
  const batches: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const spec = sizes[Math.min(k++, sizes.length - 1)] as number | string;
    const size =
      typeof spec === "string" && spec.endsWith("%")
        ? Math.max(1, Math.floor((hosts.length * Number(spec.slice(0, -1))) / 100))
        : Math.max(1, Number(spec));
    batches.push(hosts.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** Run a playbook against an inventory and return the report. Never throws for host failures. */
export async function runPlaybook(book: Playbook, options: RunOptions): Promise<RunReport> {
  const events = options.events ?? new RunEvents();
  if (options.shard) assertShardable(book, options.shard);
  const started = Date.now();
  const report: RunReport = {
    playbook: book.name,
    check: !!options.check,
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    plays: [],
    stats: {},
    hostErrors: {},
    interrupted: false,
    exitCode: 0,
  };
  const connections = new Map<string, Connection>();
  const changedHosts = new Set<string>(); // connection keys of hosts this run changed or failed on: not kept
  const prefetch = !options.prefetch ? undefined : new RunPrefetch({ playbook: book.name, cacheDir: options.cacheDir });
  const down = new Set<string>(); // failed or unreachable: skipped by later plays
  // Tasks that tags left out are not counted, as in Ansible's recap.
  events.on("taskEnd", ({ host, result }) => {
    if (!(result.skipped && result.message === SKIPPED_BY_TAGS))
      countResult((report.stats[host] ??= emptyStats()), result, !!result.ignored);
  });
  events.emit("runStart", { playbook: book.name, check: !!options.check, diff: !!options.diff });
  try {
    for (const play of book.plays) {
      if (report.interrupted) break;
      const hosts = selectHosts(options.inventory, play.hosts, options.limit).filter((h) => !down.has(h) && inShard(h, options.shard));
      const playReport = {
        name: play.name,
        hosts,
        ...(play.location ? { location: play.location } : {}),
        results: [] as RunReport["plays"][number]["results"],
      };
      report.plays.push(playReport);
      const onEnd = (e: { play: string; result: (typeof playReport.results)[number] }) => {
        if (e.play === play.name) playReport.results.push(e.result);
      };
      events.on("taskEnd", onEnd);
      events.emit("playStart", { play: play.name, hosts });
      let failedSoFar = 0;
      for (const batch of serialBatches(hosts, play.serial)) {
        await withConcurrency(batch, options.forks ?? 10, async (name) => {
          const ok = await runHost(name, { play, options, events, connections, changedHosts, report, prefetch });
          if (!ok) {
            down.add(name);
            failedSoFar++;
          }
        });
        if (options.signal?.aborted) report.interrupted = true;
        if (report.interrupted) break;
        if (play.maxFailPercentage !== undefined && (failedSoFar * 100) / hosts.length > play.maxFailPercentage) {
          for (const h of hosts)
            if (!report.stats[h]) report.hostErrors[h] = `not run: max fail percentage ${play.maxFailPercentage}% exceeded`;
          break;
        }
      }
      events.off("taskEnd", onEnd);
      events.emit("playEnd", { play: play.name });
    }
  } finally {
    // A connection is kept for the next run only where this run changed nothing (CloseOptions.keep).
    await Promise.allSettled([...connections].map(([key, c]) => c.close({ keep: !report.interrupted && !changedHosts.has(key) })));
    await prefetch?.save();
  }
  report.durationMs = Date.now() - started;
  report.exitCode = exitCodeOf(report);
  events.emit("runEnd", { report });
  return report;
}

/** For `-v`: whether the run found the host's connection kept by an earlier run. */
function reachNote(connection: KeepingSshConnection): string {
  if (connection.reach === "kept") return "connection: kept by an earlier run (no new login)";
  const ahead = connection.handshakeAhead ? " (its handshake started before the playbook loaded)" : "";
  return `connection: new login${ahead}${connection.notKept ? `; not kept: ${connection.notKept}` : ", kept for the next run if this one changes nothing"}`;
}

/** What one host's run of a play shares with the rest of the run. */
interface HostRun {
  readonly play: PlayDefinition<Vars>;
  readonly options: RunOptions;
  readonly events: RunEvents;
  /** Open connections by {@link connectionKey}: a play that reaches the host differently gets its own. */
  readonly connections: Map<string, Connection>;
  /** Keys of connections whose host this run changed (or failed on). */
  readonly changedHosts: Set<string>;
  readonly report: RunReport;
  /** The run's check prefetch, when on. */
  readonly prefetch?: RunPrefetch;
}

async function runHost(name: string, run: HostRun): Promise<boolean> {
  const { play, options, events, connections, changedHosts, report, prefetch } = run;
  const stats = (report.stats[name] ??= emptyStats());
  let settings: HostSettings;
  try {
    settings = hostSettings(options.inventory, name, {
      defaultVars: options.defaultVars,
      playVars: play.vars,
      extraVars: options.extraVars,
    });
  } catch (e) {
    report.hostErrors[name] = describeError(e);
    stats.failed++;
    events.emit("hostEnd", { play: play.name, host: name, status: "failed", error: report.hostErrors[name] });
    return false;
  }
  const { vars, become } = settings;
  const key = connectionKey(name, settings.connection);
  let connection = connections.get(key);
  const first = !connection;
  if (!connection) {
    connection = (options.connect ?? createConnection)(settings.connection, name);
    connections.set(key, connection);
  }
  const hostPrefetch = prefetchWanted(vars) ? prefetch?.forHost(name, prefetchTarget(settings.connection)) : undefined;
  const host = new Host(name, {
    vars: vars,
    connection: connection,
    become: become,
    prefetch: hostPrefetch,
    run: {
      play: play.name,
      checkMode: !!options.check,
      diffMode: !!options.diff,
      tags: options.tags ?? [],
      skipTags: options.skipTags ?? [],
      events,
      handlers: new Map<string, Handler>(Object.entries(play.handlers ?? {})),
      signal: options.signal,
      gate: options.gate,
    },
  });
  const started = Date.now();
  events.emit("hostStart", { play: play.name, host: name });
  let status: "ok" | "failed" | "unreachable" = "ok";
  let error: string | undefined;
  try {
    await connection.open();
    hostPrefetch?.sendAhead(connection); // the checks go out at once, not when the first task has planned
    if (first && connection instanceof KeepingSshConnection) events.emit("log", { host: name, message: reachNote(connection) });
    await play.run(host, vars);
    await host.flushHandlers();
  } catch (e) {
    if (e instanceof InterruptedError) {
      report.interrupted = true;
      status = "failed";
      error = `[${name}] interrupted`;
    } else if (e instanceof UnreachableError) {
      status = "unreachable";
      stats.unreachable = 1;
      error = new UnreachableError(e.message, { ...e.context, host: name }).describe();
    } else {
      status = "failed";
      if (!(e instanceof TaskFailedError)) stats.failed++;
      error =
        e instanceof BosunError
          ? new BosunError(e.message, { ...e.context, host: e.context.host ?? name }).describe()
          : `[${name}] ${describeError(e)}`;
    }
    report.hostErrors[name] = mask(error);
  }
  stats.commands += host.commandCount;
  stats.durationMs += Date.now() - started;
  if (status !== "ok" || (!options.check && stats.changed > 0)) changedHosts.add(key);
  events.emit("hostEnd", { play: play.name, host: name, status, error });
  return status === "ok";
}
