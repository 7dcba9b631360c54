/** The machine a benchmark ran on: what the results must be read against. */
import { readFileSync } from "node:fs";
import os from "node:os";
import { REPO_ROOT } from "../lib/lab/index.js";
import { runProcess } from "../lib/lab/process.js";

/** Machine and software at the start of a benchmark. */
export interface MachineInfo {
  /** ISO date and time of the start. */
  readonly date: string;
  /** CPU model. */
  readonly cpu: string;
  /** `nproc`. */
  readonly nproc: number;
  /** Total memory, MiB. */
  readonly memoryMiB: number;
  /** Available memory at the start, MiB. */
  readonly availableMiB: number;
  /** Load average (1, 5, 15 min) at the start. */
  readonly loadAverage: readonly number[];
  /** Docker containers running at the start that are not this benchmark's. */
  readonly otherContainers: number;
  /** OS and kernel. */
  readonly os: string;
  /** Node version. */
  readonly node: string;
  /** `ansible-playbook --version`, first line, and its Python. */
  readonly ansible: string;
  /** bosun version and commit. */
  readonly bosun: string;
  /** `fs.inotify.max_user_instances` (each systemd lab host uses a few). */
  readonly inotifyInstances: number;
}

async function text(argv: string[]): Promise<string> {
  return (await runProcess(argv, { allowFailure: true }).catch(() => ({ stdout: "" }))).stdout.trim();
}

/** Load average now, rounded. */
export function loadAverage(): number[] {
  return os.loadavg().map((l) => Math.round(l * 100) / 100);
}

/** What the machine is, and how busy, now. */
export async function machineInfo(labName: string): Promise<MachineInfo> {
  const release = /PRETTY_NAME="([^"]+)"/.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "unknown";
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(meminfo)?.[1] ?? 0);
  const ansible = (await text(["ansible-playbook", "--version"])).split("\n");
  const python = ansible
    .find((l) => l.trim().startsWith("python version"))
    ?.split("=")[1]
    ?.trim()
    .split(" ")[0];
  const names = (await text(["docker", "ps", "--format", "{{.Names}}"])).split("\n").filter(Boolean);
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, "utf8")) as { version: string };
  const commit = await text(["git", "-C", REPO_ROOT, "rev-parse", "--short", "HEAD"]);
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    nproc: os.availableParallelism(),
    memoryMiB: Math.round(kb("MemTotal") / 1024),
    availableMiB: Math.round(kb("MemAvailable") / 1024),
    loadAverage: loadAverage(),
    otherContainers: names.filter((n) => !n.startsWith(`bosun-${labName}`)).length,
    os: `${release}, Linux ${os.release()}`,
    node: process.version,
    ansible: `${ansible[0] ?? "not installed"}${python ? `, Python ${python}` : ""}`,
    bosun: `${pkg.version} (${commit || "unknown commit"})`,
    inotifyInstances: Number(readFileSync("/proc/sys/fs/inotify/max_user_instances", "utf8").trim()),
  };
}
