/**
 * Which hosts a process sent its checks to over kept connections, for the next start of the same
 * command to send them ahead (checks-ahead.ts, named in the start hint, lib/cli/start-hint.ts).
 * Kept apart from checks-ahead.ts so that a start reads and writes its hint without loading what
 * sends a batch. One process-wide registry (a global symbol): the launcher and the compiled
 * playbook each have their own copy of this module.
 */

/** A host whose checks a run sent on a kept connection: what the next start needs to send them ahead. */
export interface KeptChecks {
  /** The keeper's key of the connection (keeperKey(spec), a hash). */
  readonly key: string;
  /** The host's check list file (prefetch-cache.ts). */
  readonly file: string;
}

const REGISTRY = Symbol.for("bosun.keptChecks");

function sent(): Map<string, KeptChecks> {
  const global = globalThis as { [REGISTRY]?: Map<string, KeptChecks> };
  global[REGISTRY] ??= new Map();
  return global[REGISTRY];
}

/** Record that the checks of `file` go to the connection kept under `key`, for the next start. */
export function noteKeptChecks(file: string, key: string): void {
  sent().set(file, { key, file });
}

/** The hosts whose checks this process sent on kept connections, for the next start's hint. */
export function keptChecksSent(): KeptChecks[] {
  return [...sent().values()];
}
