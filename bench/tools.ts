/**
 * One timed run of each tool, as a child process under `/usr/bin/time` (elapsed, CPU, largest RSS):
 * `ansible-playbook` in its best configuration (ansible/ansible.cfg), and bosun's runPlaybook (no
 * renderer) the way a project that installed bosun runs it: the package's compiled JavaScript
 * (`import ... from "bosun"`, dist/), the playbook compiled ahead of time and run by `node` (its best
 * configuration), or the playbook as TypeScript through tsx (`bosun-tsx`). Each returns the same
 * {@link RunSample}.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { KNOWN_HOSTS_PATH, REPO_ROOT } from "../lib/lab/index.js";
import { runProcess } from "../lib/lab/process.js";
import type { ChildResult } from "./bosun-child.js";
import { TreeSampler, type MemoryPeak } from "./memory.js";

/** The tools: Ansible, bosun with the playbook compiled, bosun with the playbook run by tsx. */
export type Tool = "ansible" | "bosun" | "bosun-tsx";

/** Where {@link compileBosun} puts the compiled benchmark playbook and child. */
const BUILD_DIR = path.join(REPO_ROOT, "bench", ".build");

/**
 * Build what the bosun runs load: the package (dist/ and its precompiled validators, `npm run build`) and the benchmark's playbook
 * and child compiled to JavaScript (esbuild, one file each, imports kept).
 */
export async function compileBosun(): Promise<void> {
  await runProcess(["npm", "run", "build"], { cwd: REPO_ROOT });
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const esbuild = path.join(REPO_ROOT, "node_modules", ".bin", "esbuild");
  const sources = ["bench/bosun-child.ts", "bench/bosun-playbook.ts"];
  await runProcess([esbuild, ...sources, "--platform=node", "--format=esm", `--outdir=${BUILD_DIR}`, "--log-level=error"], {
    cwd: REPO_ROOT,
  });
}

/** What one run of a tool did and cost. */
export interface RunSample {
  /** Wall time from spawn to exit, ms (what a user waits for). */
  readonly wallMs: number;
  /** Time inside the run, after interpreter start-up and imports, ms (bosun: runPlaybook; Ansible: playbook start to recap). */
  readonly runMs: number;
  /** Controller CPU time of the whole process tree, seconds (user + system). */
  readonly cpuS: number;
  /** Largest RSS of a single process of the tree, KiB (`/usr/bin/time %M`). */
  readonly maxRssKb: number;
  /** Per host: changed and failed tasks, unreachable, remote commands (bosun only). */
  readonly hosts: Record<string, { changed: number; failed: number; unreachable: number; commands?: number }>;
  /** Tasks started (Ansible) or run on the first host (bosun). */
  readonly tasks: number;
  /** Per task on the first host (bosun only). */
  readonly perTask?: ChildResult["tasks"];
  /** Exit code of the tool. */
  readonly exitCode: number | null;
  /** Peak memory of the tree, when sampled. */
  readonly memory?: MemoryPeak;
  /** The tool's output, when it failed. */
  readonly log?: string;
}

/** Where one run's files go. */
export interface RunFiles {
  /** Inventory with the hosts of this run. */
  readonly inventory: string;
  /** Directory for this run's scratch files. */
  readonly dir: string;
  /** known_hosts for the inventory's addresses (the lab's when omitted). */
  readonly knownHosts?: string;
}

const TIME = "/usr/bin/time";
const ANSIBLE_DIR = path.join(REPO_ROOT, "bench", "ansible");

/** What {@link timed} measured. */
export interface Spawned {
  readonly wallMs: number;
  readonly code: number | null;
  readonly output: string;
  readonly cpuS: number;
  readonly maxRssKb: number;
  readonly memory?: MemoryPeak;
}

/** Spawn argv under /usr/bin/time (in `cwd`, REPO_ROOT by default), optionally sampling its tree's memory. */
export function timed(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  timeFile: string,
  sample?: { marker?: string },
  cwd: string = REPO_ROOT,
): Promise<Spawned> {
  const useTime = existsSync(TIME);
  const full = useTime ? [TIME, "-o", timeFile, "-f", "%e %M %U %S", ...argv] : argv;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(full[0] as string, full.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const sampler = sample && child.pid ? new TreeSampler(child.pid, sample.marker) : undefined;
    const out: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => out.push(d));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      const memory = sampler?.stop();
      const [, maxRss = "0", user = "0", sys = "0"] = useTime ? readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ") : [];
      resolve({ wallMs, code, output: Buffer.concat(out).toString(), cpuS: Number(user) + Number(sys), maxRssKb: Number(maxRss), memory });
    });
  });
}

/** Close the ssh ControlMaster processes a run left in `dir` (ControlPersist), and remove it. */
async function closeMasters(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await Promise.all(
    readdirSync(dir).map((sock) =>
      runProcess(["ssh", "-o", `ControlPath=${path.join(dir, sock)}`, "-O", "exit", "bench-master"], { allowFailure: true }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}

/** How {@link runAnsible} runs. */
export interface AnsibleRunOptions {
  /** Sample the memory of Ansible's processes. */
  readonly sampleMemory?: boolean;
  /** Leave the ControlMaster connections open: the next run with the same tag starts with them (ControlPersist). */
  readonly keepConnections?: boolean;
}

/** End the ControlMaster connections runs with `tag` left open ({@link AnsibleRunOptions.keepConnections}). */
export const endAnsibleConnections = (dir: string, tag: string): Promise<void> => closeMasters(path.join(dir, `cp-${tag}`));

/**
 * One ansible-playbook run on the inventory's hosts with forks = hosts, starting with no ssh
 * connection unless an earlier run with the same tag kept its connections.
 */
export async function runAnsible(files: RunFiles, forks: number, tag: string, options: AnsibleRunOptions = {}): Promise<RunSample> {
  const { sampleMemory = false, keepConnections = false } = options;
  const controlDir = path.join(files.dir, `cp-${tag}`);
  mkdirSync(controlDir, { recursive: true });
  const out = path.join(files.dir, `ansible-${tag}.json`);
  rmSync(out, { force: true });
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, "ansible.cfg"),
    ANSIBLE_SSH_COMMON_ARGS: `-o UserKnownHostsFile=${files.knownHosts ?? KNOWN_HOSTS_PATH} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_LOCAL_TEMP: path.join(files.dir, "ansible-tmp"),
    ANSIBLE_FORCE_COLOR: "0",
    BENCH_ANSIBLE_OUT: out,
  };
  const argv = ["ansible-playbook", "-i", files.inventory, "-f", String(forks), path.join(ANSIBLE_DIR, "site.yml")];
  try {
    const r = await timed(argv, env, path.join(files.dir, `time-${tag}`), sampleMemory ? { marker: controlDir } : undefined);
    const cb = existsSync(out)
      ? (JSON.parse(readFileSync(out, "utf8")) as { runMs: number; tasks: number; hosts: Record<string, Record<string, number>> })
      : undefined;
    const hosts = Object.fromEntries(
      Object.entries(cb?.hosts ?? {}).map(([h, s]) => [
        h,
        { changed: s.changed ?? 0, failed: s.failures ?? 0, unreachable: s.unreachable ?? 0 },
      ]),
    );
    return {
      wallMs: r.wallMs,
      runMs: cb?.runMs ?? NaN,
      cpuS: r.cpuS,
      maxRssKb: r.maxRssKb,
      hosts,
      tasks: cb?.tasks ?? 0,
      exitCode: r.code,
      memory: r.memory,
      ...(r.code === 0 ? {} : { log: r.output.slice(-4000) }),
    };
  } finally {
    if (!keepConnections) await closeMasters(controlDir);
  }
}

/** One bosun run (runPlaybook, no renderer) on the inventory's hosts with forks = hosts; after {@link compileBosun}. */
export async function runBosun(
  files: RunFiles,
  forks: number,
  tag: string,
  sampleMemory = false,
  via: "node" | "tsx" = "node",
): Promise<RunSample> {
  const out = path.join(files.dir, `bosun-${tag}.json`);
  rmSync(out, { force: true });
  const program = via === "node" ? ["node", path.join(BUILD_DIR, "bosun-child.js")] : ["node", "--import", "tsx", "bench/bosun-child.ts"];
  const argv = [...program, "--inventory", files.inventory, "--forks", String(forks), "--out", out];
  const r = await timed(argv, process.env, path.join(files.dir, `time-${tag}`), sampleMemory ? {} : undefined);
  const child = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as ChildResult) : undefined;
  return {
    wallMs: r.wallMs,
    runMs: child?.runMs ?? NaN,
    cpuS: r.cpuS,
    maxRssKb: r.maxRssKb || (child?.maxRssKb ?? 0),
    hosts: child?.hosts ?? {},
    tasks: child?.tasks.length ?? 0,
    perTask: child?.tasks,
    exitCode: r.code === 0 ? (child?.exitCode ?? null) : r.code,
    memory: r.memory,
    ...(r.code === 0 && child?.exitCode === 0 ? {} : { log: (r.output + JSON.stringify(child?.hostErrors ?? {})).slice(-4000) }),
  };
}
