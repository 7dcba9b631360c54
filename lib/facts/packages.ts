/**
 * Package facts: what dpkg has installed, how old apt's lists are, what apt would install or
 * upgrade. Every probe is one command; the parsers are pure.
 */
import { defineFact } from "../core/fact.js";
import { sh, raw, type Command } from "../core/command.js";
import { parseSections, section, sectionLines } from "./docker-sections.js";

/** One package as dpkg knows it (`dpkg-query -W`). */
export interface DpkgPackage {
  /** Package name (without architecture). */
  readonly name: string;
  /** The status triple, e.g. `install ok installed`, `deinstall ok config-files`. */
  readonly status: string;
  /** Installed version ("" when none). */
  readonly version: string;
  /** True when the package is fully installed (`installed` status, any selection). */
  readonly installed: boolean;
  /** True when only its configuration files remain (removed, not purged). */
  readonly configOnly: boolean;
}

/** Parse `dpkg-query -W -f='${Package}\t${Status}\t${Version}\n'` output. Unknown names print nothing. */
export function parseDpkgQuery(stdout: string): Map<string, DpkgPackage> {
  const out = new Map<string, DpkgPackage>();
  for (const line of stdout.split("\n")) {
    const [name, status, version = ""] = line.split("\t");
    if (!name || status === undefined) continue;
    const state = status.split(" ")[2] ?? "";
    const pkg = { name, status, version, installed: state === "installed", configOnly: state === "config-files" };
    // A multi-arch package prints one line per architecture: installed wins.
    if (!out.get(name)?.installed) out.set(name, pkg);
  }
  return out;
}

/** What `apt-cache policy` says about one package. */
export interface AptPolicy {
  /** Installed version, or undefined for `(none)`. */
  readonly installed?: string;
  /** Version apt would install, or undefined for `(none)`. */
  readonly candidate?: string;
}

/** Parse `apt-cache policy NAME...`; names apt does not know are missing from the map. */
export function parseAptPolicy(stdout: string): Map<string, AptPolicy> {
  const out = new Map<string, AptPolicy>();
  let current: { name: string; installed?: string; candidate?: string } | undefined;
  const flush = () => {
    if (current) out.set(current.name, { installed: current.installed, candidate: current.candidate });
  };
  for (const line of stdout.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head?.[1]) {
      flush();
      current = { name: head[1] };
      continue;
    }
    const field = /^ {2}(Installed|Candidate): (.+)$/.exec(line);
    if (field && current) {
      const value = field[2] === "(none)" ? undefined : field[2];
      if (field[1] === "Installed") current.installed = value;
      else current.candidate = value;
    }
  }
  flush();
  return out;
}

/** One line of an `apt-get -s` simulation. */
export interface SimulatedChange {
  /** `install` (new or upgraded) or `remove`. */
  readonly action: "install" | "remove";
  /** Package name. */
  readonly name: string;
  /** Version installed now (undefined for a new package). */
  readonly from?: string;
  /** Version after the change (undefined for a removal). */
  readonly to?: string;
}

/** Parse the `Inst` and `Remv` lines of `apt-get -s ...` (Conf lines repeat Inst and are ignored). */
export function parseAptSimulation(stdout: string): SimulatedChange[] {
  const out: SimulatedChange[] = [];
  for (const line of stdout.split("\n")) {
    const inst = /^Inst (\S+)(?: \[([^\]]+)\])?(?: \((\S+))?/.exec(line);
    if (inst?.[1]) {
      out.push({ action: "install", name: inst[1], from: inst[2], to: inst[3] });
      continue;
    }
    const remv = /^Remv (\S+)(?: \[([^\]]+)\])?/.exec(line);
    if (remv?.[1]) out.push({ action: "remove", name: remv[1], from: remv[2] });
  }
  return out;
}

/** The counts of apt-get's summary line ("1 upgraded, 2 newly installed, 0 to remove and 3 not upgraded."). */
export interface AptSummary {
  readonly upgraded: number;
  readonly installed: number;
  readonly removed: number;
}

/** Parse apt-get's summary lines (summed when a script ran apt-get twice); undefined when none was printed. */
export function parseAptSummary(stdout: string): AptSummary | undefined {
  let sum: AptSummary | undefined;
  for (const m of stdout.matchAll(/^(\d+) upgraded, (\d+) newly installed, (\d+) to remove/gm)) {
    sum = {
      upgraded: (sum?.upgraded ?? 0) + Number(m[1]),
      installed: (sum?.installed ?? 0) + Number(m[2]),
      removed: (sum?.removed ?? 0) + Number(m[3]),
    };
  }
  return sum;
}

/** Names of the packages apt-get set up ("Setting up curl:amd64 (7.88.1-10) ..."). */
export function parseSetUp(stdout: string): Set<string> {
  const out = new Set<string>();
  for (const m of stdout.matchAll(/^Setting up ([^\s:]+)(?::\S+)? \(/gm)) if (m[1]) out.add(m[1]);
  return out;
}

/** Where apt keeps its lists and the stamp of the last successful `apt-get update`. */
export const APT_LISTS_DIR = "/var/lib/apt/lists";
/** Touched after every successful update bosun runs (as Ubuntu's update-notifier and apt.systemd.daily do). */
export const APT_UPDATE_STAMP = "/var/lib/apt/periodic/update-success-stamp";

/** How fresh apt's package lists are. */
export interface AptCacheAge {
  /** Seconds since the last update (stamp, else lists directory); undefined when never fetched. */
  readonly ageSeconds?: number;
  /** Whether any package list has been fetched at all. */
  readonly hasLists: boolean;
}

/** Shell text printing now, the stamp's and the lists directory's mtimes, and the count of Packages lists. */
export function cacheAgeCommand(): Command {
  return sh`date +%s; stat -c %Y ${APT_UPDATE_STAMP} 2>/dev/null || echo -; stat -c %Y ${APT_LISTS_DIR} 2>/dev/null || echo -; ls ${APT_LISTS_DIR} 2>/dev/null | grep -c _Packages`;
}

/** Parse the four lines of {@link cacheAgeCommand}. The stamp wins over the directory, like Ansible's apt. */
export function parseCacheAge(lines: readonly string[]): AptCacheAge {
  const [now = "", stamp = "-", dir = "-", count = "0"] = lines.map((l) => l.trim());
  const hasLists = Number(count) > 0;
  const mtime = stamp !== "-" ? Number(stamp) : dir !== "-" ? Number(dir) : NaN;
  if (!hasLists || !Number.isFinite(mtime) || !Number.isFinite(Number(now))) return { hasLists };
  return { hasLists, ageSeconds: Math.max(0, Number(now) - mtime) };
}

/** A .deb file as `dpkg-deb -f` describes it. */
export interface DebInfo {
  readonly name: string;
  readonly version: string;
}

/** Argument of {@link aptState}. */
export interface AptStateQuery {
  /** Package names (no version pins). */
  readonly names: readonly string[];
  /** Also ask `apt-cache policy` (for installs and `latest`). */
  readonly policy: boolean;
  /** A .deb to describe: a path on the host, or a URL the host downloads (to a temp file, removed again). */
  readonly deb?: string;
}

/** What the apt task needs to know, read in one command. */
export interface AptState {
  /** dpkg's view of the named packages (and of the .deb's package). */
  readonly packages: ReadonlyMap<string, DpkgPackage>;
  /** apt-cache policy of the named packages (empty unless asked). */
  readonly policy: ReadonlyMap<string, AptPolicy>;
  /** How fresh the lists are. */
  readonly cache: AptCacheAge;
  /** The .deb's package and version, or why it could not be read. */
  readonly deb?: DebInfo | { readonly error: string };
}

const DPKG_FORMAT = "${Package}\\t${Status}\\t${Version}\\n";

/** Shell text that downloads `url` to "$f" in a fresh directory "$t" (curl, else wget). */
export function fetchDebCommand(url: string): Command {
  return sh`t=$(mktemp -d) && chmod 755 "$t" && f="$t/package.deb" && trap 'rm -rf -- "$t"' EXIT && if command -v curl >/dev/null; then curl -fsSL --max-time 300 -o "$f" -- ${url}; elif command -v wget >/dev/null; then wget -q -T 300 -O "$f" -- ${url}; else echo 'neither curl nor wget is installed' >&2; false; fi`;
}

/** One command: dpkg status, cache age, optionally apt-cache policy and the .deb's control fields. */
export const aptState = defineFact<AptStateQuery, AptState>({
  id: "packages.aptState",
  command: (q) => {
    const names = q.names.length ? sh`dpkg-query -W -f=${DPKG_FORMAT} ${q.names} 2>/dev/null` : raw(":");
    const policy = q.policy && q.names.length ? sh`apt-cache policy ${q.names} 2>/dev/null` : raw(":");
    let deb = raw(":");
    if (q.deb !== undefined) {
      const get = /^[a-z]+:\/\//.test(q.deb) ? fetchDebCommand(q.deb) : sh`f=${q.deb}; [ -f "$f" ] || { echo "no such file"; false; }`;
      deb = sh`( ${get} && if i=$(dpkg-deb -f "$f" Package Version 2>&1); then printf 'ok\\n%s\\n' "$i"; p=$(dpkg-deb -f "$f" Package); dpkg-query -W -f=${DPKG_FORMAT} "$p" 2>/dev/null | sed 's/^/dpkg /'; else printf '%s\\n' "$i"; fi ) 2>&1 | tail -n 40`;
    }
    return sh`${section("dpkg")}; ${names}; ${section("cache")}; ${cacheAgeCommand()}; ${section("policy")}; ${policy}; ${section("deb")}; ${deb}`;
  },
  parse: (r) => {
    const s = parseSections(r.stdout);
    const packages = parseDpkgQuery(sectionLines(s, "dpkg").join("\n"));
    const policy = parseAptPolicy(sectionLines(s, "policy").join("\n"));
    const cache = parseCacheAge(sectionLines(s, "cache"));
    const debLines = sectionLines(s, "deb");
    let deb: AptState["deb"];
    if (debLines.length) {
      if (debLines[0] === "ok") {
        const field = (k: string) => debLines.find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2) ?? "";
        deb = { name: field("Package"), version: field("Version") };
        const dpkg = parseDpkgQuery(
          debLines
            .filter((l) => l.startsWith("dpkg "))
            .map((l) => l.slice(5))
            .join("\n"),
        );
        for (const [name, pkg] of dpkg) packages.set(name, pkg);
      } else deb = { error: debLines.join("\n").trim() || "unreadable" };
    }
    return { packages, policy, cache, deb };
  },
});

/** Argument of {@link aptUpgradable}. */
export interface AptUpgradableQuery {
  /** `safe` simulates `apt-get upgrade --with-new-pkgs`, `dist` `apt-get dist-upgrade`. */
  readonly mode: "safe" | "dist";
}

/** What an upgrade would do, and how fresh the lists it is based on are. */
export interface AptUpgradable {
  /** Packages that would be installed, upgraded or removed. */
  readonly changes: readonly SimulatedChange[];
  /** How fresh the lists are. */
  readonly cache: AptCacheAge;
}

/** The apt-get words of an upgrade mode. */
export function upgradeWords(mode: "safe" | "dist"): readonly string[] {
  return mode === "dist" ? ["dist-upgrade"] : ["upgrade", "--with-new-pkgs"];
}

/** One command: the simulation of an upgrade (`apt-get -s`, no lock taken) and the lists' age. */
export const aptUpgradable = defineFact<AptUpgradableQuery, AptUpgradable>({
  id: "packages.aptUpgradable",
  command: (q) =>
    sh`${section("cache")}; ${cacheAgeCommand()}; ${section("sim")}; apt-get -s -q -o Debug::NoLocking=1 ${upgradeWords(q.mode)} 2>&1; echo "rc=$?"`,
  parse: (r) => {
    const s = parseSections(r.stdout);
    const sim = sectionLines(s, "sim");
    const rc = sim[sim.length - 1];
    if (rc !== "rc=0")
      throw new Error(
        `Cannot simulate the upgrade: ${
          sim
            .slice(0, -1)
            .filter((l) => /^E:/.test(l))
            .join(" ") || rc
        }`,
      );
    return { changes: parseAptSimulation(sim.join("\n")), cache: parseCacheAge(sectionLines(s, "cache")) };
  },
});
