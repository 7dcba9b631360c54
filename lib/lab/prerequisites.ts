import { readFile } from "node:fs/promises";
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, closeSync, existsSync, openSync } from "node:fs";
import path from "node:path";
import { CONTROLLER_TOOLS, controllerDebianPackages, type ControllerTool } from "./controller-tools.js";
import { runProcess } from "./process.js";

/** Where a dockerd started by the lab writes its log. */
export const DOCKERD_LOG = "/tmp/dockerd.log";

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
  // controller-tools: apt-get
  const first = await runProcess(argv, { env, allowFailure: true });
  if (first.code === 0) return;
  await runProcess(["apt-get", "update"], { env });
  // controller-tools: apt-get
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

/** systemd in every lab host takes inotify instances; Debian's default of 128 stops hosts past ~60 from booting. */
async function ensureInotifyInstances(): Promise<void> {
  const file = "/proc/sys/fs/inotify/max_user_instances";
  const current = Number((await readFile(file, "utf8").catch(() => "0")).trim());
  if (current > 0 && current < 1024) await runProcess(["sysctl", "-w", "fs.inotify.max_user_instances=1024"], { allowFailure: true });
}

/** True when dpkg has `pkg` installed. */
function packageInstalled(pkg: string): boolean {
  const r = spawnSync("dpkg-query", ["--showformat", "${Status}", "--show", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout === "install ok installed";
}

/** True when `tool` can run here (an `npm ci` tool may also sit in ./node_modules/.bin). */
function present(tool: ControllerTool): boolean {
  if (tool.exactPackage && tool.debianPackage && !packageInstalled(tool.debianPackage)) return false;
  if (tool.from === "npm ci") return onPath(tool.program) || existsSync(path.join("node_modules", ".bin", tool.program));
  return onPath(tool.program);
}

/**
 * The controller tools (lib/lab/controller-tools.ts) missing on this machine, except those the lab
 * installs itself on first use.
 */
export function missingControllerTools(tools: readonly ControllerTool[] = CONTROLLER_TOOLS): ControllerTool[] {
  return tools.filter((t) => t.from !== "lab" && !present(t));
}

/**
 * Make this machine able to run the lab and the tests: every Debian package of
 * lib/lab/controller-tools.ts whose program is missing, and a running dockerd. Idempotent and
 * quick (one `docker info`) when all is in place.
 */
export async function ensurePrerequisites(): Promise<PrerequisitesReport> {
  if (process.getuid?.() !== 0) {
    throw new Error("Cannot prepare the lab: it needs root (debootstrap, docker); run as root");
  }
  const missing = controllerDebianPackages(missingControllerTools().filter((t) => t.debianPackage));
  if (missing.length) await aptInstall(missing);
  await ensureInotifyInstances();
  let startedDockerd = false;
  if (!(await dockerAnswers())) {
    await startDockerd();
    startedDockerd = true;
  }
  return { installed: missing, startedDockerd };
}
