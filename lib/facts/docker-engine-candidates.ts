/**
 * What apt would install for the distribution's docker packages (`apt-cache policy`), and whether
 * apt has package lists at all: read before planning docker from the distribution, so that a
 * compose v1 package is refused before anything is installed.
 */
import { defineFact } from "../core/fact.js";
import { sh } from "../core/command.js";
import { parseSections, script, section, sectionLines } from "./docker-sections.js";
import { APT_LISTS_DIR, parseAptPolicy } from "./packages.js";

/** What {@link aptCandidates} found. */
export interface AptCandidates {
  /** The version apt would install, by package name; a package apt does not know is missing. */
  readonly candidates: Readonly<Record<string, string>>;
  /** Whether apt has any package list (a fresh image has none until `apt-get update`). */
  readonly hasLists: boolean;
}

/** The candidate versions of `packages` in apt's current lists (reads only; never updates them). */
export const aptCandidates = defineFact<readonly string[], AptCandidates>({
  id: "packages.aptCandidates",
  command: (packages) =>
    script(
      sh`${section("policy")}; LC_ALL=C apt-cache policy -- ${[...packages]} 2>/dev/null`,
      sh`${section("lists")}; ls -- ${APT_LISTS_DIR} 2>/dev/null | grep -c _Packages`,
    ),
  parse: (r) => parseAptCandidates(r.stdout),
});

/** Parse the output of {@link aptCandidates}'s command (pure). */
export function parseAptCandidates(stdout: string): AptCandidates {
  const s = parseSections(stdout);
  const candidates: Record<string, string> = {};
  for (const [name, policy] of parseAptPolicy(sectionLines(s, "policy").join("\n"))) {
    if (policy.candidate !== undefined) candidates[name] = policy.candidate;
  }
  return { candidates, hasLists: Number(sectionLines(s, "lists")[0] ?? "0") > 0 };
}
