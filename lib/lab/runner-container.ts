import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { removeContainers } from "./container.js";
import { LAB_NETWORK } from "./network.js";
import { runProcess } from "./process.js";
import { ensureRunnerImage } from "./runner-image.js";

/** Label on every runner stand-in container; its value is the `owner` of the job. */
export const LABEL_RUNNER_OWNER = "bosun.lab.runner.owner";

/** Variables given to docker as `NAME=value`: the docker CLI uses this machine's own under these names. */
const LITERAL = new Set(["HOME", "PATH"]);

/** A directory of this machine mounted into the runner container. */
export interface RunnerMount {
  /** Path on this machine. */
  readonly source: string;
  /** Path inside the container. */
  readonly target: string;
  /** Mounted read-only. */
  readonly readOnly?: boolean;
}

/** One CI job as a runner runs it: a script, its working directory, user and environment. */
export interface RunnerJob {
  /** The job's script (a GitLab job's `script:` lines, a GitHub step's `run:`), run with bash `-eo pipefail`. */
  readonly script: string;
  /** Working directory inside the container (the checkout: CI_PROJECT_DIR, GITHUB_WORKSPACE). */
  readonly workdir: string;
  /** The job's environment, exactly what the CI would set: nothing of this machine's environment is added. */
  readonly env: Readonly<Record<string, string>>;
  /** User the script runs as (default root, as GitLab's docker executor runs `node:20-bookworm`). */
  readonly user?: string;
  /** Checkout, caches, file variables ... */
  readonly mounts?: readonly RunnerMount[];
  /** Who runs it (a test file's lab name), kept as a label so {@link removeRunnerJobs} finds leftovers. */
  readonly owner: string;
}

/** Exit code and interleaved stdout and stderr of a job, as the CI's job log shows them. */
export interface RunnerJobResult {
  /** The script's exit code (-1 when docker could not run it). */
  readonly code: number;
  /** The job log. */
  readonly log: string;
}

/**
 * Run a CI job's script in a fresh runner stand-in container (the lab's Debian with Node 20, see
 * {@link ensureRunnerImage}) on the lab network, so it reaches lab hosts and services by their lab
 * names (`lab1.lab.test:22`), never through this machine's published ports. The environment goes to
 * docker by name only (`--env NAME`), so secret values are on no command line of this machine.
 * The container is removed when the script ends.
 */
export async function runRunnerJob(job: RunnerJob): Promise<RunnerJobResult> {
  const image = await ensureRunnerImage();
  const name = `bosun-runner-${job.owner}-${randomBytes(4).toString("hex")}`;
  const mounts = (job.mounts ?? []).flatMap((m) => ["--volume", `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`]);
  // HOME and PATH go literally: docker itself reads this machine's under those names.
  const names = Object.entries(job.env).flatMap(([k, v]) => ["--env", LITERAL.has(k) ? `${k}=${v}` : k]);
  // prettier-ignore
  const argv = [
    "run", "--rm", "--name", name, "--label", `${LABEL_RUNNER_OWNER}=${job.owner}`,
    "--network", LAB_NETWORK, "--user", job.user ?? "root", "--workdir", job.workdir,
    ...mounts, ...names,
    "--entrypoint", "bash", image, "--noprofile", "--norc", "-eo", "pipefail", "-c", job.script,
  ];
  return new Promise((resolve) => {
    const secrets = Object.fromEntries(Object.entries(job.env).filter(([k]) => !LITERAL.has(k)));
    const child = spawn("docker", argv, { env: { ...process.env, ...secrets }, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    child.on("error", (e) => resolve({ code: -1, log: `${log}\nCannot run docker: ${e.message}` }));
    child.on("close", (code) => resolve({ code: code ?? -1, log }));
  });
}

/** Remove the runner containers of `owner` that are still there (a job cut short by a test timeout). */
export async function removeRunnerJobs(owner: string): Promise<void> {
  const r = await runProcess(["docker", "ps", "-aq", "--filter", `label=${LABEL_RUNNER_OWNER}=${owner}`], { allowFailure: true });
  await removeContainers(r.stdout.split("\n").filter(Boolean));
}
