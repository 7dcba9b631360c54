import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { debianMirrors } from "../apt-sources.js";
import { runProcess } from "../process.js";
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

/** Private apt options: own sources, lists, status and archives, so the machine's apt state is untouched. */
function aptOptions(suite: AptSuite): string[] {
  const root = aptRoot(suite);
  const etc = path.join(root, "etc");
  const opts: Record<string, string> = {
    "Dir::Etc": etc,
    "Dir::Etc::SourceList": path.join(etc, "sources.list"),
    "Dir::Etc::SourceParts": path.join(etc, "sources.list.d"),
    "Dir::Etc::Preferences": path.join(etc, "preferences"),
    "Dir::Etc::PreferencesParts": path.join(etc, "preferences.d"),
    "Dir::State": path.join(root, "state"),
    "Dir::State::status": path.join(root, "state", "status"),
    "Dir::Cache": path.join(root, "cache"),
    "Dir::Cache::archives": path.join(root, "archives"),
    "APT::Architecture": "amd64",
    "APT::Architectures": "amd64",
    "APT::Install-Recommends": "false",
    "APT::Sandbox::User": "root",
    "Debug::NoLocking": "true",
  };
  return Object.entries(opts).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
}

function writeConfig(suite: AptSuite): void {
  const root = aptRoot(suite);
  for (const d of ["etc/sources.list.d", "etc/preferences.d", "state/lists/partial", "cache", "archives/partial"]) {
    mkdirSync(path.join(root, d), { recursive: true });
  }
  const status = path.join(root, "state", "status");
  if (!existsSync(status)) writeFileSync(status, "");
  const mirrors = debianMirrors("bookworm");
  const keyring = "[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]";
  const lines = [`deb ${keyring} ${mirrors.archive} ${suite} main`];
  if (suite === "bookworm") {
    lines.push(`deb ${keyring} ${mirrors.archive} ${suite}-updates main`);
    lines.push(`deb ${keyring} ${mirrors.security} ${suite}-security main`);
  }
  writeFileSync(path.join(root, "etc", "sources.list"), lines.join("\n") + "\n");
}

/** Serialise apt runs per suite: they share one private state directory. */
function serial<T>(suite: AptSuite, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(suite) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  queues.set(suite, next.catch(() => undefined));
  return next;
}

function listsFresh(suite: AptSuite): boolean {
  const marker = path.join(aptRoot(suite), "state", "updated");
  return existsSync(marker) && Date.now() - statSync(marker).mtimeMs < LISTS_MAX_AGE_MS;
}

async function update(suite: AptSuite): Promise<void> {
  writeConfig(suite);
  await runProcess(["apt-get", ...aptOptions(suite), "update"]);
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

async function resolveAndFetch(suite: AptSuite, packages: readonly string[]): Promise<AptPackage[]> {
  const opts = aptOptions(suite);
  const sim = await runProcess(["apt-get", ...opts, "-s", "install", ...packages]);
  const closure = parseSimulatedInstall(sim.stdout);
  if (!closure.length) throw new Error(`Cannot resolve ${packages.join(" ")} in ${suite}: apt plans nothing\n${sim.stdout}`);
  await runProcess(["apt-get", ...opts, "install", "-y", "-q", "--download-only", ...packages], {
    env: { DEBIAN_FRONTEND: "noninteractive" },
  });
  return closure.map(({ name, version, arch }) => {
    const deb = path.join(aptRoot(suite), "archives", `${name}_${version.replace(/:/g, "%3a")}_${arch}.deb`);
    if (!existsSync(deb)) throw new Error(`Cannot find ${name} ${version}: apt downloaded no ${deb}`);
    return { name, version, deb };
  });
}

/**
 * Resolve `packages` and their dependency closure (no recommends, no Essential set) in `suite`
 * and download every .deb into the private cache. Refreshes the private lists when stale or
 * when the mirror no longer has a listed file.
 */
export function aptFetchClosure(suite: AptSuite, packages: readonly string[]): Promise<AptPackage[]> {
  return serial(suite, async () => {
    if (!listsFresh(suite)) await update(suite);
    try {
      return await resolveAndFetch(suite, packages);
    } catch {
      await update(suite);
      return resolveAndFetch(suite, packages);
    }
  });
}

/** Download the single package `name` (no dependencies) of `suite` into the private apt cache. */
export function aptDownload(suite: AptSuite, name: string): Promise<void> {
  return serial(suite, async () => {
    if (!listsFresh(suite)) await update(suite);
    const cwd = path.join(aptRoot(suite), "archives");
    const r = await runProcess(["apt-get", ...aptOptions(suite), "download", name], { cwd, allowFailure: true });
    if (r.code === 0) return;
    await update(suite);
    await runProcess(["apt-get", ...aptOptions(suite), "download", name], { cwd });
  });
}
