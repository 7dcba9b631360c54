/**
 * Check batches a start sends ahead on kept connections, before the playbook and the inventory
 * load. A no-op run on connections its keeper kept (lib/connection/keeper/) otherwise sends its
 * batch of checks (prefetch.ts) only once the library, the playbook and the inventory are loaded,
 * and then waits for the host to run them: here the host runs them while the controller loads.
 *
 * The start hint (lib/cli/start-hint.ts, from kept-checks.ts) names, per host the same command ran its checks
 * on over a kept connection last time, the keeper's key of that connection and the host's check
 * list file: hashes, never a user, an address or a command. At start, each list is read and sent,
 * as the run would send it, to the keeper's connection under that key, if the keeper still has it
 * alive. The run takes the answers when its own batch would be the same list of commands, from the
 * same file, on a connection kept under the same key; else it sends its own batch. Either way the
 * answers are never older than the run's start, and they are taken before anything of the run could
 * change the host. A batch no run takes was a read of the host and nothing more (the checks are
 * read-only by contract).
 *
 * The launcher and the compiled playbook each have their own copy of this module, so the batches
 * sit in one process-wide registry (a global symbol).
 */
import type { ExecResult } from "../core/connection.js";
import { KeptConnection } from "../connection/keeper/kept-connection.js";
import type { KeptChecks } from "./kept-checks.js";
import { runBatch } from "./prefetch-batch.js";
import { readCheckCommandsNow } from "./prefetch-cache.js";

type Answers = (ExecResult | undefined)[];

interface Ahead {
  readonly key: string;
  readonly texts: readonly string[];
  /** Undefined when the keeper no longer had the connection, or the batch failed. */
  readonly answers: Promise<Answers | undefined>;
  /** The run waits for the answers: from here the process does too. */
  wait(): void;
}

/** Batches sent ahead, by check list file; each is taken once. */
const REGISTRY = Symbol.for("bosun.checksAhead");

function registry(): { readonly ahead: Map<string, Ahead> } {
  const global = globalThis as { [REGISTRY]?: { readonly ahead: Map<string, Ahead> } };
  global[REGISTRY] ??= { ahead: new Map() };
  return global[REGISTRY];
}

/** Send each host's check list to the keeper listening on `socket`, on the connection it keeps under the host's key. */
export function startChecksAhead(socket: string, hosts: readonly KeptChecks[]): void {
  const r = registry();
  for (const { key, file } of hosts) {
    const texts = readCheckCommandsNow(file);
    if (texts.length > 0 && !r.ahead.has(file)) r.ahead.set(file, sendAhead(socket, key, texts));
  }
}

function sendAhead(socket: string, key: string, texts: readonly string[]): Ahead {
  // The request for the connection and the batch go out together, before the loading that follows
  // holds up this process's event loop. The user and address only word errors of a run's own
  // commands: these answers are taken or dropped.
  const kept = KeptConnection.attachNow(socket, key, { user: "", address: "a kept connection" });
  kept.hold(false); // a batch no run takes does not keep the process alive
  const answers = runBatch(kept, texts)
    .catch(() => undefined) // no keeper, or it no longer keeps the connection: the run sends its own batch
    .finally(() => void kept.close({ keep: true }));
  return { key, texts, answers, wait: () => kept.hold(true) };
}

/**
 * The answers to `texts`, the list read from `file`, sent ahead at start on the connection kept
 * under `key`; undefined (send them now) when none were, or for another list or connection.
 */
export async function takeChecksAhead(file: string, texts: readonly string[], key: string): Promise<Answers | undefined> {
  const r = registry();
  const ahead = r.ahead.get(file);
  r.ahead.delete(file);
  if (!ahead || ahead.key !== key || ahead.texts.length !== texts.length || ahead.texts.some((t, i) => t !== texts[i])) return undefined;
  ahead.wait();
  return ahead.answers;
}
