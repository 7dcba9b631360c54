/** The hosts a run selects, with their settings checked for every play before anything runs. */
import type { Vars } from "../core/vars.js";
import type { Inventory } from "../inventory/types.js";
import { selectHosts } from "../inventory/index.js";
import { hostSettings } from "./host-settings.js";
import type { Playbook } from "./playbook.js";
import { assertShardable, inShard, type Shard } from "./shard.js";

/** What narrows and overrides a run. */
export interface SelectionOptions {
  /** `--limit` pattern. */
  readonly limit?: string;
  /** `-e` vars. */
  readonly extraVars?: Vars;
  /** Defaults below the inventory (`-u`, `-b` ...). */
  readonly defaultVars?: Vars;
  /** `--shard i/n`: only this shard's hosts, after the limit. */
  readonly shard?: Shard;
}

/**
 * Every host any play of `book` runs on. Each one's settings are built for each play it is in, as
 * the run will build them, so a bad one (an unset `!env` password, a connection bosun cannot use)
 * throws here, naming the host, before anything runs.
 */
export function selectedHosts(book: Playbook, inventory: Inventory, options: SelectionOptions = {}): string[] {
  if (options.shard) assertShardable(book, options.shard);
  const selected = new Set<string>();
  for (const play of book.plays) {
    for (const name of selectHosts(inventory, play.hosts, options.limit).filter((h) => inShard(h, options.shard))) {
      hostSettings(inventory, name, { defaultVars: options.defaultVars, playVars: play.vars, extraVars: options.extraVars });
      selected.add(name);
    }
  }
  return [...selected];
}
