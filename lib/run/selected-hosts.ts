/** The hosts a run selects, with their settings checked for every play before anything runs. */
import type { Vars } from "../core/vars.js";
import type { Inventory } from "../inventory/types.js";
import { selectHosts } from "../inventory/index.js";
import { hostSettings } from "./host-settings.js";
import type { Playbook } from "./playbook.js";

/** What narrows and overrides a run. */
export interface SelectionOptions {
  /** `--limit` pattern. */
  readonly limit?: string;
  /** `-e` vars. */
  readonly extraVars?: Vars;
}

/**
 * Every host any play of `book` runs on. Each one's settings are built for each play it is in, as
 * the run will build them, so a bad one (an unset `!env` password, a connection bosun cannot use)
 * throws here, naming the host, before anything runs.
 */
export function selectedHosts(book: Playbook, inventory: Inventory, options: SelectionOptions = {}): string[] {
  const selected = new Set<string>();
  for (const play of book.plays) {
    for (const name of selectHosts(inventory, play.hosts, options.limit)) {
      hostSettings(inventory, name, { playVars: play.vars, extraVars: options.extraVars });
      selected.add(name);
    }
  }
  return [...selected];
}
