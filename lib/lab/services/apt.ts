import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { debianMirrors } from "../apt-sources.js";
import { withLabLock } from "../lock.js";
import { runProcess, type ProcessResult } from "../process.js";
import { SERVICES_CACHE_DIR } from "./paths.js";

/** Debian suites the lab services take packages from. */
export type AptSuite = "bookworm" | "trixie";

/** One package of a resolved dependency closure, downloaded into the private apt cache. */
export interface AptPackage {
  /** Package name, e.g. `libc6`. */
  readonly name: string;
  /** Exact version apt chose. */
  readonly version: string;
  /** Absolute path of the downloaded .deb. */
  readonly deb: string;
}

/** Lists older than this are refreshed before resolving (the mirror drops superseded .debs). */
const LISTS_MAX_AGE_MS = 12 * 3600_000;

const queues = new Map<AptSuite, Promise<unknown>>();

/** Root of the private apt configuration for `suite`: `.lab/cache/services/apt/<suite>/`. */
export function aptRoot(suite: AptSuite): string {
  return path.join(SERVICES_CACHE_DIR, "apt", suite);
}

/**
 * Write the private apt configuration of `suite`: own sources, lists, status and archives, and
 * none of the machine's apt.conf.d (apt reads APT_CONFIG before it picks its parts directory),
 * so the machine's apt state, caches and hooks are untouched.
 */
function writeConfig(suite: AptSuite): void {
  const root = aptRoot(suite);
  const etc = path.join(root, "etc");
  for (const d of ["etc/sources.list.d", "etc/preferences.d", "etc/apt.conf.d", "state/lists/partial", "cache", "archives/partial"]) {
    mkdirSync(path.join(root, d), { recursive: true });
  }
  const status = path.join(root, "state", "status");
  if (!existsSync(status)) writeFileSync(status, "");
  const settings: Record<string, string> = {
    "Dir::Etc": etc,
    "Dir::Etc::main": "/dev/null",
    "Dir::Etc::parts": path.join(etc, "apt.conf.d"),
    "Dir::Etc::SourceList": path.join(etc, "sources.list"),
    "Dir::Etc::SourceParts": path.join(etc, "sources.list.d"),
    "Dir::Etc::Preferences": path.join(etc, "preferences"),
    "Dir::Etc::PreferencesParts": path.join(etc, "preferences.d"),
    "Dir::State": path.join(root, "state"),
    "Dir::State::status": status,
    "Dir::Cache": path.join(root, "cache"),
    "Dir::Cache::pkgcache": "pkgcache.bin",
    "Dir::Cache::srcpkgcache": "srcpkgcache.bin",
    "Dir::Cache::archives": path.join(root, "archives"),
    "APT::Architecture": "amd64",
    "APT::Install-Recommends": "false",
    "APT::Sandbox::User": "root",
  };
  writeFileSync(
    path.join(etc, "apt.conf"),
    Object.entries(settings)
      .map(([k, v]) => `${k} "${v}";\n`)
      .join(""),
  );
  const mirrors = debianMirrors("bookworm");
  const keyring = "[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]";
  const lines = [`deb ${keyring} ${mirrors.archive} ${suite} main`];
  if (suite === "bookworm") {
    lines.push(`deb ${keyring} ${mirrors.archive} ${suite}-updates main`);
    lines.push(`deb ${keyring} ${mirrors.security} ${suite}-security main`);
  }
  writeFileSync(path.join(etc, "sources.list"), lines.join("\n") + "\n");
}

/** Run apt-get with the private configuration of `suite`. */
function aptGet(suite: AptSuite, args: readonly string[], options: { cwd?: string; allowFailure?: boolean } = {}): Promise<ProcessResult> {
  const env = { APT_CONFIG: path.join(aptRoot(suite), "etc", "apt.conf"), DEBIAN_FRONTEND: "noninteractive" };
  return runProcess(["apt-get", ...args], { ...options, env });
}

/** Serialise apt runs per suite, in this process and across processes: they share one private state directory. */
function serial<T>(suite: AptSuite, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(suite) ?? Promise.resolve();
  const locked = () => withLabLock(`apt-${suite}`, fn);
  const next = prev.then(locked, locked);
  queues.set(
    suite,
    next.catch(() => undefined),
  );
  return next;
}

function listsFresh(suite: AptSuite): boolean {
  const marker = path.join(aptRoot(suite), "state", "updated");
  return existsSync(marker) && Date.now() - statSync(marker).mtimeMs < LISTS_MAX_AGE_MS;
}

async function update(suite: AptSuite): Promise<void> {
  await aptGet(suite, ["update"]);
  writeFileSync(path.join(aptRoot(suite), "state", "updated"), new Date().toISOString() + "\n");
}

/** Parse `apt-get -s install` output into (name, version, arch) of each package it would unpack. */
export function parseSimulatedInstall(output: string): { name: string; version: string; arch: string }[] {
  const out = [];
  for (const line of output.split("\n")) {
    const m = /^Inst (\S+) (?:\[[^\]]*\] )?\((\S+) .*\[(\S+)\]\)/.exec(line);
    if (m?.[1] && m[2] && m[3]) out.push({ name: m[1], version: m[2], arch: m[3] });
  }
  return out;
}

/** Closures resolved since the last `apt-get update`, by package list (resolving costs seconds). */
function closureCache(suite: AptSuite): { file: string; entries: Record<string, AptClosureEntry[]> } {
  const file = path.join(aptRoot(suite), "state", "closures.json");
  const updated = path.join(aptRoot(suite), "state", "updated");
  const fresh = existsSync(file) && existsSync(updated) && statSync(file).mtimeMs >= statSync(updated).mtimeMs;
  return { file, entries: fresh ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, AptClosureEntry[]>) : {} };
}

type AptClosureEntry = { name: string; version: string; arch: string };

async function resolve(suite: AptSuite, packages: readonly string[]): Promise<AptClosureEntry[]> {
  const cache = closureCache(suite);
  const key = [...packages].sort().join(" ");
  const hit = cache.entries[key];
  if (hit) return hit;
  const sim = await aptGet(suite, ["-s", "install", ...packages]);
  const closure = parseSimulatedInstall(sim.stdout);
  if (!closure.length) throw new Error(`Cannot resolve ${packages.join(" ")} in ${suite}: apt plans nothing\n${sim.stdout}`);
  writeFileSync(cache.file, JSON.stringify({ ...cache.entries, [key]: closure }));
  return closure;
}

async function resolveAndFetch(suite: AptSuite, packages: readonly string[]): Promise<AptPackage[]> {
  const closure = await resolve(suite, packages);
  const debs = closure.map(({ name, version, arch }) => ({
    name,
    version,
    deb: path.join(aptRoot(suite), "archives", `${name}_${version.replace(/:/g, "%3a")}_${arch}.deb`),
  }));
  if (debs.some((d) => !existsSync(d.deb))) await aptGet(suite, ["install", "-y", "-q", "--download-only", ...packages]);
  for (const d of debs) if (!existsSync(d.deb)) throw new Error(`Cannot find ${d.name} ${d.version}: apt downloaded no ${d.deb}`);
  return debs;
}

/** Run `fn` with fresh enough private lists of `suite`, refreshing them and retrying once on failure. */
function withLists<T>(suite: AptSuite, fn: () => Promise<T>): Promise<T> {
  return serial(suite, async () => {
    writeConfig(suite);
    if (!listsFresh(suite)) await update(suite);
    try {
      return await fn();
    } catch {
      await update(suite);
      return fn();
    }
  });
}

/**
 * Resolve `packages` and their dependency closure (no recommends, no Essential set) in `suite`
 * and download every .deb into the private cache. Refreshes the private lists when stale or
 * when the mirror no longer has a listed file.
 */
export function aptFetchClosure(suite: AptSuite, packages: readonly string[]): Promise<AptPackage[]> {
  return withLists(suite, () => resolveAndFetch(suite, packages));
}

/** Download the single package `name` (no dependencies) of `suite` into the private apt cache. */
export function aptDownload(suite: AptSuite, name: string): Promise<void> {
  const cwd = path.join(aptRoot(suite), "archives");
  return withLists(suite, async () => {
    await aptGet(suite, ["download", name], { cwd });
  });
}
