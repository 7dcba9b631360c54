/**
 * `npm run bench -- --wan`: bosun as users run it, across a WAN, beside Ansible. Every SSH connection
 * goes through a latency proxy on loopback (latency-proxy.ts: 0 ms and 25 ms each way by default),
 * which also counts round trips on the wire and when each run's first byte reached it.
 *
 * Per host count and repetition, on fresh hosts: bosun's first run, then no-op runs five ways —
 * the compiled playbook under `node` (in-run time from runPlaybook), the same without prefetch
 * (every check live), `tsx bench-cli.ts` and `bosun bench-cli.ts` (the bin, compile cache warm) in a
 * project that installed bosun (node_modules/bosun, so `import "bosun"` is the published bundle),
 * and `tsx bench/bench-launch.ts` in this repository (lib/'s sources compiled in, as its own playbooks start) —
 * and Ansible's no-op run (pipelining, ControlMaster) through the same proxy. A connect-only run
 * gives the round trips of the SSH connection itself. All of these start with no connection
 * (BOSUN_SSH_PERSIST=0, a fresh ControlPath). Then the same runs with connections kept from the run
 * before, as a second run within a minute has them: bosun's keepers (lib/connection/keeper/) after
 * one untimed no-op run, Ansible's ControlMaster left open by its first run (ControlPersist).
 * The load average is kept with every sample.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { KNOWN_HOSTS_PATH, REPO_ROOT, labDown, renderLabInventory, type LabHost, type LabInfo } from "../lib/lab/index.js";
import { runProcess } from "../lib/lab/process.js";
import type { ChildResult } from "./bosun-child.js";
import { pristineChecksums, resetHosts } from "./host-state.js";
import { bringUpLab, waitForQuiet } from "./lab.js";
import { LatencyProxy } from "./latency-proxy.js";
import { loadAverage, machineInfo } from "./machine.js";
import { BENCH_TASKS } from "./bosun-playbook.js";
import { endAnsibleConnections, runAnsible, timed } from "./tools.js";
import { endKeepers, keepersListening } from "./keepers.js";

/** Options of {@link runWan}. */
export interface WanOptions {
  readonly hosts: readonly number[];
  readonly reps: number;
  /** One-way delays in ms. */
  readonly delays: readonly number[];
  readonly name: string;
  readonly keepLab: boolean;
  /** Scratch directory. */
  readonly dir: string;
}

/** The ways a run is started. */
export type WanVariant =
  | "connect"
  | "node-first"
  | "node"
  | "node-live"
  | "tsx"
  | "tsx-src"
  | "bin"
  | "ansible"
  | "tsx-kept"
  | "tsx-src-kept"
  | "bin-kept"
  | "ansible-warm";

/** One timed run. */
export interface WanSample {
  readonly delayMs: number;
  readonly hosts: number;
  readonly rep: number;
  readonly variant: WanVariant;
  readonly wallMs: number;
  /** runPlaybook's time (node variants), Ansible's playbook time (callback). */
  readonly runMs?: number;
  readonly cpuS: number;
  /** Spawn to the first byte on the wire (the proxy saw it). */
  readonly firstByteMs?: number;
  /** Round trips per host on the wire, averaged over hosts. */
  readonly roundTripsPerHost: number;
  /** Remote commands per task (bosun, first host). */
  readonly commandsPerTask?: number;
  /** Tasks that changed (first host). */
  readonly changed?: number;
  readonly exitCode: number | null;
  readonly load: number;
}

const BUILD_DIR = path.join(REPO_ROOT, "bench", ".build");

/** The package as users get it (the bundle and validators) and the bench child compiled. */
async function prepareBuild(log: (l: string) => void): Promise<void> {
  log("building the bundle (npm run build:bundle), the validators and the benchmark child...");
  await runProcess(["npm", "run", "build:bundle"], { cwd: REPO_ROOT });
  await runProcess(["npx", "tsx", "scripts/gen-validators.ts"], { cwd: REPO_ROOT });
  rmSync(BUILD_DIR, { recursive: true, force: true });
  await runProcess(
    [
      path.join(REPO_ROOT, "node_modules", ".bin", "esbuild"),
      "bench/bosun-child.ts",
      "bench/bosun-playbook.ts",
      "--platform=node",
      "--format=esm",
      `--outdir=${BUILD_DIR}`,
      "--log-level=error",
    ],
    { cwd: REPO_ROOT },
  );
}

/** A project that installed bosun: node_modules/bosun, the benchmark playbook, a CLI entry. */
function userProject(dir: string): string {
  const project = path.join(dir, "project");
  mkdirSync(path.join(project, "node_modules"), { recursive: true });
  symlinkSync(REPO_ROOT, path.join(project, "node_modules", "bosun"));
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "bench-project", private: true, type: "module" }));
  for (const f of ["bench-cli.ts", "bosun-playbook.ts", "vars.json", "files", "templates"])
    cpSync(path.join(REPO_ROOT, "bench", f), path.join(project, f), { recursive: true });
  return project;
}

/** known_hosts with each host's keys under its proxy port. */
function proxiedKnownHosts(file: string, hosts: readonly LabHost[], proxies: readonly LatencyProxy[]): string {
  const lines = readFileSync(KNOWN_HOSTS_PATH, "utf8").split("\n");
  const out: string[] = [];
  hosts.forEach((h, i) => {
    for (const line of lines)
      if (line.startsWith(`[127.0.0.1]:${h.sshPort} `)) out.push(line.replace(`:${h.sshPort} `, `:${proxies[i]!.port} `));
  });
  writeFileSync(file, `${out.join("\n")}\n`);
  return file;
}

function wire(proxies: readonly LatencyProxy[], spawnedAt: number): { roundTripsPerHost: number; firstByteMs?: number } {
  const conns = proxies.flatMap((p) => p.connections);
  const trips = conns.reduce((n, c) => n + c.roundTrips, 0);
  const first = Math.min(...conns.map((c) => c.firstClientByteAt ?? Infinity));
  return { roundTripsPerHost: trips / proxies.length, ...(Number.isFinite(first) ? { firstByteMs: first - spawnedAt } : {}) };
}

/** Run every variant for every delay and host count; returns the samples. */
export async function runWan(opts: WanOptions, log: (l: string) => void): Promise<WanSample[]> {
  await prepareBuild(log);
  const maxHosts = Math.max(...opts.hosts);
  const project = userProject(opts.dir);
  const cacheDir = path.join(opts.dir, "bosun-cache");
  const keeperDir = path.join(opts.dir, "keepers");
  mkdirSync(keeperDir, { recursive: true, mode: 0o700 });
  const samples: WanSample[] = [];
  const machine = await machineInfo(opts.name);
  log(`machine: ${machine.cpu}, nproc ${machine.nproc}, load ${machine.loadAverage.join(" ")}`);
  let info: LabInfo | undefined;
  try {
    ({ info } = await bringUpLab(opts.name, maxHosts, log));
    const pristine = await pristineChecksums(info.hosts[0]!.container);
    for (const delayMs of opts.delays) {
      const all = info.hosts.slice(0, maxHosts);
      const proxies = await Promise.all(all.map((h) => LatencyProxy.start(h.sshPort, delayMs)));
      try {
        for (const n of opts.hosts) {
          await waitForQuiet(log);
          const hosts = all.slice(0, n);
          const used = proxies.slice(0, n);
          const knownHosts = proxiedKnownHosts(path.join(opts.dir, `known_hosts-${delayMs}-${n}`), hosts, used);
          const inventory = path.join(opts.dir, `inventory-${delayMs}-${n}.yml`);
          writeFileSync(
            inventory,
            renderLabInventory({ ...info, knownHostsPath: knownHosts, hosts: hosts.map((h, i) => ({ ...h, sshPort: used[i]!.port })) }),
          );
          const env = { ...process.env, BOSUN_CACHE_DIR: cacheDir, BOSUN_KEEPER_DIR: keeperDir, BOSUN_SSH_PERSIST: "0" };
          const keptEnv = { ...env, BOSUN_SSH_PERSIST: "60" };
          const time = async (
            variant: WanVariant,
            argv: readonly string[],
            how: { cwd?: string; rep: number; env?: NodeJS.ProcessEnv },
          ) => {
            const { cwd = REPO_ROOT, rep } = how;
            for (const p of used) p.reset();
            const load = loadAverage()[0] as number;
            const out = path.join(opts.dir, `child-${delayMs}-${n}-${rep}-${variant}.json`);
            rmSync(out, { force: true });
            const spawnedAt = Date.now();
            const full = argv.map((a) => (a === "@OUT" ? out : a));
            const r = await timed(full, how.env ?? env, path.join(opts.dir, "time"), undefined, cwd);
            const child = full.includes(out) ? (JSON.parse(readFileSync(out, "utf8")) as ChildResult) : undefined;
            const tasks = child?.tasks ?? [];
            const sample: WanSample = {
              delayMs,
              hosts: n,
              rep,
              variant,
              wallMs: r.wallMs,
              ...(child ? { runMs: child.runMs } : {}),
              cpuS: r.cpuS,
              ...wire(used, spawnedAt),
              ...(tasks.length ? { commandsPerTask: tasks.reduce((s, t) => s + t.commands, 0) / tasks.length } : {}),
              ...(child ? { changed: tasks.filter((t) => t.changed).length } : {}),
              exitCode: child ? (r.code === 0 ? child.exitCode : r.code) : r.code,
              load,
            };
            samples.push(sample);
            log(
              `  [${delayMs} ms, ${n} host(s), rep ${rep + 1}] ${variant.padEnd(10)} wall ${(r.wallMs / 1000).toFixed(2)} s` +
                (sample.runMs !== undefined ? `, in run ${(sample.runMs / 1000).toFixed(2)} s` : "") +
                `, first byte ${sample.firstByteMs ?? "-"} ms, ${sample.roundTripsPerHost.toFixed(1)} round trips/host` +
                (sample.commandsPerTask !== undefined ? `, ${sample.commandsPerTask.toFixed(2)} commands/task` : "") +
                `, cpu ${r.cpuS.toFixed(2)} s, load ${load}` +
                (sample.exitCode === 0 ? "" : `  EXIT ${sample.exitCode}: ${r.output.slice(-600)}`),
            );
            return sample;
          };
          const child = ["node", path.join(BUILD_DIR, "bosun-child.js"), "--inventory", inventory, "--forks", String(n), "--out", "@OUT"];
          const cli = ["bench-cli.ts", "--inventory", inventory, "--forks", String(n)];
          const bin = ["node", path.join(REPO_ROOT, "dist", "lib", "bundle", "cli", "bin.js")];
          for (let rep = 0; rep < opts.reps; rep++) {
            await resetHosts(hosts, pristine);
            rmSync(cacheDir, { recursive: true, force: true });
            const tsx = [path.join(REPO_ROOT, "node_modules", ".bin", "tsx"), ...cli];
            const tsxSrc = [path.join(REPO_ROOT, "node_modules", ".bin", "tsx"), "bench/bench-launch.ts", ...cli.slice(1)];
            await time("connect", [...child, "--connect-only"], { rep });
            await time("node-first", [...child, "--prefetch", "--cache-dir", cacheDir], { rep });
            await time("node", [...child, "--prefetch", "--cache-dir", cacheDir], { rep });
            await time("node-live", child, { rep });
            if (rep === 0) {
              // Compile once: the caches are warm, as every run after the first finds them.
              await runProcess([...bin, "bench-cli.ts", "--help"], { cwd: project });
              await runProcess([tsxSrc[0] as string, "bench/bench-launch.ts", "--help"]);
            }
            await time("tsx", tsx, { cwd: project, rep });
            await time("tsx-src", tsxSrc, { rep });
            await time("bin", [...bin, ...cli], { cwd: project, rep });
            // A second run within a minute: the no-op run before it left a keeper per host.
            await runProcess(tsx, { cwd: project, env: keptEnv });
            if (!(await keepersListening(keeperDir, n))) log(`  (not every host's keeper listens: the kept runs below log in)`);
            await time("tsx-kept", tsx, { cwd: project, rep, env: keptEnv });
            await time("tsx-src-kept", tsxSrc, { rep, env: keptEnv });
            await time("bin-kept", [...bin, ...cli], { cwd: project, rep, env: keptEnv });
            endKeepers(keeperDir);
            const tag = `wan-${delayMs}-${n}-${rep}`;
            for (const variant of ["ansible", "ansible-warm"] as const) {
              for (const p of used) p.reset();
              const load = loadAverage()[0] as number;
              const spawnedAt = Date.now();
              const a = await runAnsible({ inventory, dir: opts.dir, knownHosts }, n, tag, { keepConnections: variant === "ansible" });
              const s: WanSample = {
                delayMs,
                hosts: n,
                rep,
                variant,
                wallMs: a.wallMs,
                runMs: a.runMs,
                cpuS: a.cpuS,
                ...wire(used, spawnedAt),
                changed: Object.values(a.hosts)[0]?.changed,
                exitCode: a.exitCode,
                load,
              };
              samples.push(s);
              log(
                `  [${delayMs} ms, ${n} host(s), rep ${rep + 1}] ${variant.padEnd(10)} wall ${(a.wallMs / 1000).toFixed(2)} s, in run ${(a.runMs / 1000).toFixed(2)} s, ${s.roundTripsPerHost.toFixed(1)} round trips/host, changed ${s.changed}, cpu ${a.cpuS.toFixed(2)} s, load ${load}` +
                  (a.exitCode === 0 ? "" : `  EXIT ${a.exitCode}: ${a.log ?? ""}`),
              );
            }
            await endAnsibleConnections(opts.dir, tag);
          }
        }
      } finally {
        await Promise.all(proxies.map((p) => p.close()));
      }
    }
  } finally {
    if (!opts.keepLab) await labDown({ name: opts.name }).catch((e: Error) => log(`  could not take the lab down: ${e.message}`));
  }
  return samples;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const range = (xs: readonly number[], f = (x: number) => (x / 1000).toFixed(2)): string =>
  xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})` : f(xs[0] ?? NaN);

/** One delay and host count's samples (`key` is "<delay>/<hosts>"), read the ways a table row needs. */
function rowSamples(samples: readonly WanSample[], key: string) {
  const [delay, hosts] = key.split("/").map(Number) as [number, number];
  const here = samples.filter((s) => s.delayMs === delay && s.hosts === hosts);
  const of = (v: WanVariant) => here.filter((s) => s.variant === v);
  const wall = (v: WanVariant) => of(v).map((s) => s.wallMs);
  return {
    delay,
    hosts,
    here,
    of,
    wall,
    /** `base`'s median wall ÷ `v`'s. */
    ratio: (v: WanVariant, base: WanVariant) => `${(median(wall(base)) / median(wall(v))).toFixed(1)}x`,
    first: (v: WanVariant) => range(of(v).map((s) => s.firstByteMs ?? NaN)),
    trips: (v: WanVariant) => median(of(v).map((s) => s.roundTripsPerHost)).toFixed(1),
  };
}

/** One row of the kept-connections table. */
function keptRow(samples: readonly WanSample[], key: string): string {
  const { delay, hosts, wall, first, trips, ...r } = rowSamples(samples, key);
  const ratio = (v: WanVariant) => r.ratio(v, "ansible-warm");
  return `| ${delay * 2} ms | ${hosts} | ${range(wall("ansible-warm"))} | ${range(wall("tsx-kept"))} | **${ratio("tsx-kept")}** | ${range(wall("tsx-src-kept"))} | **${ratio("tsx-src-kept")}** | ${range(wall("bin-kept"))} | **${ratio("bin-kept")}** | ${first("tsx-kept")} / ${first("tsx-src-kept")} / ${first("bin-kept")} | ${trips("tsx-kept")} | ${trips("ansible-warm")} |`;
}

/** The results as markdown: one row per delay and host count. */
export function renderWan(samples: readonly WanSample[]): string {
  const keys = [...new Set(samples.map((s) => `${s.delayMs}/${s.hosts}`))];
  const rows = keys.map((key) => {
    const { delay, hosts, here, of, wall, first, trips, ...r } = rowSamples(samples, key);
    const ratio = (v: WanVariant) => r.ratio(v, "ansible");
    const load = here.map((s) => s.load);
    return `| ${delay * 2} ms | ${hosts} | ${range(wall("ansible"))} | ${range(wall("tsx"))} | **${ratio("tsx")}** | ${range(wall("tsx-src"))} | **${ratio("tsx-src")}** | ${range(wall("bin"))} | **${ratio("bin")}** | ${range(wall("node"))} | ${ratio("node")} | ${range(of("node").map((s) => s.runMs ?? NaN))} | ${first("tsx")} / ${first("tsx-src")} / ${first("bin")} | ${trips("connect")} | ${trips("node")} | ${trips("node-live")} | ${trips("ansible")} | ${median(of("node").map((s) => s.commandsPerTask ?? NaN)).toFixed(2)} | ${trips("node-first")} (${median(of("node-first").map((s) => s.changed ?? NaN))} changed) | ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} |`;
  });
  return [
    `No-op runs of the ${BENCH_TASKS}-task benchmark playbook through the latency proxy; seconds, median (min–max); ratio = Ansible's median wall ÷ bosun's.`,
    "",
    "| round trip | hosts | Ansible no-op (wall) | bosun via `tsx` (wall) | Ansible ÷ tsx | `tsx`, repo sources (wall) | Ansible ÷ tsx sources | bosun bin (wall) | Ansible ÷ bin | compiled, `node` (wall) | Ansible ÷ node | in-run (node) | first byte: tsx / tsx sources / bin | RT connect | RT no-op | RT no-op, no prefetch | RT Ansible | commands/task | RT first run | load (1 min) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
    "",
    "RT = round trips per host counted on the wire by the proxy (turns of the conversation, SSH handshake included); RT connect = a run that only connects.",
    "",
    "The same no-op runs within a minute of the one before, as a second run has them: bosun with the connections its keepers kept (`bosun_ssh_persist`, 60 s by default), Ansible with the ControlMaster connections its first run left open (ControlPersist=60s).",
    "",
    "| round trip | hosts | Ansible, warm (wall) | bosun via `tsx`, kept (wall) | Ansible warm ÷ tsx kept | `tsx` sources, kept (wall) | Ansible warm ÷ tsx sources kept | bin, kept (wall) | Ansible warm ÷ bin kept | first byte: tsx / tsx sources / bin, kept | RT no-op, kept | RT Ansible, warm |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...keys.map((key) => keptRow(samples, key)),
  ].join("\n");
}
