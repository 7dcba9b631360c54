/**
 * The controller's memory of which check commands a playbook sent to a host last time: a small
 * JSON file per playbook and host under the controller's cache directory. It holds command texts
 * only, never answers and never stdin: a command with stdin (a secret, the sudo password, file
 * content) or whose text shows a registered secret is not kept.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "../core/command.js";
import { mask } from "../core/secrets.js";

/** Which playbook, host and login the list belongs to. */
export interface PrefetchCacheKey {
  /** Playbook name. */
  readonly playbook: string;
  /** Inventory host name. */
  readonly host: string;
  /** How the host is reached, without secrets (`ssh deploy@10.0.0.5:22`). */
  readonly target: string;
}

import { writeCacheFile } from "../core/cache-dir.js";
export { bosunCacheDir } from "../core/cache-dir.js";

/** The file holding the list of `key` in `dir`: a hash of the key, so names and addresses do not show. */
export function prefetchCacheFile(dir: string, key: PrefetchCacheKey): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([key.playbook, key.host, key.target]))
    .digest("hex");
  return path.join(dir, `${hash.slice(0, 32)}.json`);
}

/** True when a check command may be kept in the cache and sent ahead: no stdin, no secret in its text. */
export function isPrefetchable(command: Command): boolean {
  return command.stdin === undefined && mask(command.text) === command.text;
}

/** The command texts kept in `data` (a list file's text); empty when it holds none. */
function checkCommandsIn(data: string): string[] {
  const { commands } = JSON.parse(data) as { commands?: unknown };
  return Array.isArray(commands) ? commands.filter((c): c is string => typeof c === "string") : [];
}

/** The command texts kept in `file`; empty when there is none or it is unreadable. */
export async function readCheckCommands(file: string): Promise<string[]> {
  try {
    return checkCommandsIn(await readFile(file, "utf8"));
  } catch {
    return [];
  }
}

/** {@link readCheckCommands}, at once (a start, before anything else is under way). */
export function readCheckCommandsNow(file: string): string[] {
  try {
    return checkCommandsIn(readFileSync(file, "utf8"));
  } catch {
    return [];
  }
}

/** Replace the list in `file` (written beside it, then renamed: readers never see half a file). */
export async function writeCheckCommands(file: string, commands: readonly string[]): Promise<void> {
  await writeCacheFile(file, { version: 1, commands });
}
