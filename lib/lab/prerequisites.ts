import { readFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { accessSync, constants, closeSync, openSync } from "node:fs";
import path from "node:path";
import { runProcess } from "./process.js";

/** Where a dockerd started by the lab writes its log. */
export const DOCKERD_LOG = "/tmp/dockerd.log";

/** Programs the lab runs, and the Debian package that provides each. */
const PROGRAMS: ReadonlyArray<readonly [program: string, pkg: string]> = [
  ["docker", "docker.io"],
  ["dockerd", "docker.io"],
  ["debootstrap", "debootstrap"],
  ["ssh", "openssh-client"],
  ["ssh-keygen", "openssh-client"],
  ["ssh-keyscan", "openssh-client"],
];

/** What {@link ensurePrerequisites} found and did. */
export interface PrerequisitesReport {
  /** Debian packages installed by this call (empty when everything was present). */
  readonly installed: readonly string[];
  /** True when this call started dockerd. */
  readonly startedDockerd: boolean;
}

/** True when `program` is an executable on PATH (or in the sbin directories apt uses). */
export function onPath(program: string): boolean {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/local/sbin"]);
  return dirs.some((dir) => {
    try {
      accessSync(path.join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function aptInstall(packages: readonly string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const argv = ["apt-get", "install", "-y", "--no-install-recommends", ...packages];
  const first = await runProcess(argv, { env, allowFailure: true });
  if (first.code === 0) return;
  await runProcess(["apt-get", "update"], { env });
  await runProcess(argv, { env });
}

async function dockerAnswers(): Promise<boolean> {
  return (await runProcess(["docker", "info", "--format", "{{.ServerVersion}}"], { allowFailure: true })).code === 0;
}

/** Start dockerd detached (this machine has no systemd), logging to {@link DOCKERD_LOG}, and wait for it. */
async function startDockerd(timeoutMs = 60_000): Promise<void> {
  const log = openSync(DOCKERD_LOG, "a");
  const child = spawn("dockerd", [], { detached: true, stdio: ["ignore", log, log] });
  child.unref();
  closeSync(log);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await dockerAnswers()) return;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Cannot start dockerd: \`docker info\` does not answer; see ${DOCKERD_LOG}`);
}

/**
 * Make this machine able to run the lab: docker.io, a running dockerd, debootstrap and the
 * OpenSSH client. Idempotent and quick (one `docker info`) when all is in place.
 */
/** systemd in every lab host takes inotify instances; Debian's default of 128 stops hosts past ~60 from booting. */
async function ensureInotifyInstances(): Promise<void> {
  const file = "/proc/sys/fs/inotify/max_user_instances";
  const current = Number((await readFile(file, "utf8").catch(() => "0")).trim());
  if (current > 0 && current < 1024) await runProcess(["sysctl", "-w", "fs.inotify.max_user_instances=1024"], { allowFailure: true });
}

export async function ensurePrerequisites(): Promise<PrerequisitesReport> {
  if (process.getuid?.() !== 0) {
    throw new Error("Cannot prepare the lab: it needs root (debootstrap, docker); run as root");
  }
  const missing = [...new Set(PROGRAMS.filter(([program]) => !onPath(program)).map(([, pkg]) => pkg))];
  if (missing.length) await aptInstall(missing);
  await ensureInotifyInstances();
  let startedDockerd = false;
  if (!(await dockerAnswers())) {
    await startDockerd();
    startedDockerd = true;
  }
  return { installed: missing, startedDockerd };
}
