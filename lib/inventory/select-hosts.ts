/** Select the hosts of a play: its `hosts` pattern, narrowed by `--limit`. */
import { InventoryError } from "../core/errors.js";
import { splitHostPattern, termMatcher, isWildcard, type PatternTerm } from "./host-pattern.js";
import type { Inventory } from "./types.js";

const LISTED = 15;

function list(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const head = names.slice(0, LISTED).join(", ");
  return names.length > LISTED ? `${head}, ... (${names.length - LISTED} more)` : head;
}

function unknownTerm(inventory: Inventory, verb: string, term: PatternTerm): InventoryError {
  const what = isWildcard(term.text) ? "no host or group matches it" : "no host or group of that name";
  const hosts = list([...inventory.hosts.keys()]);
  const groups = list([...inventory.groups.keys()]);
  return new InventoryError(`Cannot ${verb} "${term.text}": ${what} in ${inventory.source} (hosts: ${hosts}; groups: ${groups})`);
}

function matchTerm(inventory: Inventory, verb: string, term: PatternTerm): Set<string> {
  let test: (name: string) => boolean;
  try {
    test = termMatcher(term.text);
  } catch (error) {
    throw new InventoryError(`Cannot ${verb} "${term.text}": ${(error as Error).message}`);
  }
  const out = new Set<string>();
  const groups = [...inventory.groups.keys()].filter(test);
  for (const group of groups) for (const host of inventory.groups.get(group) ?? []) out.add(host);
  // Like Ansible, a plain name that is a group does not also select a host of the same name.
  const hosts = groups.length && !isWildcard(term.text) ? [] : [...inventory.hosts.keys()].filter(test);
  for (const host of hosts) out.add(host);
  if (groups.length === 0 && hosts.length === 0) throw unknownTerm(inventory, verb, term);
  return out;
}

function evaluate(inventory: Inventory, pattern: string, verb: string): Set<string> {
  const terms = splitHostPattern(pattern);
  if (terms.length === 0) throw new InventoryError(`Cannot ${verb} "${pattern}": the pattern is empty`);
  const unions = terms.filter((t) => t.op === "union");
  let selected = new Set<string>(unions.length ? [] : inventory.hosts.keys());
  for (const term of unions) for (const host of matchTerm(inventory, verb, term)) selected.add(host);
  for (const term of terms.filter((t) => t.op === "intersect")) {
    const other = matchTerm(inventory, verb, term);
    selected = new Set([...selected].filter((h) => other.has(h)));
  }
  for (const term of terms.filter((t) => t.op === "exclude")) for (const host of matchTerm(inventory, verb, term)) selected.delete(host);
  return selected;
}

/**
 * The hosts a play runs on, in inventory order: those matching `pattern` (the play's `hosts`) and,
 * when given, `limitPattern` (`--limit`). Both use Ansible's pattern language (see
 * `splitHostPattern`). An element that names no host or group is an InventoryError listing them;
 * an empty result is not an error.
 * @example selectHosts(inventory, "app:&staging:!web3", "web*")
 */
export function selectHosts(inventory: Inventory, pattern: string, limitPattern?: string): string[] {
  const selected = evaluate(inventory, pattern, "select hosts");
  const limit = limitPattern === undefined ? undefined : evaluate(inventory, limitPattern, "limit to");
  return [...inventory.hosts.keys()].filter((h) => selected.has(h) && (!limit || limit.has(h)));
}
