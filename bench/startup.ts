/**
 * Where bosun's process start-up goes: node alone, tsx's loader, loading the package (dist/, what
 * the timed runs load), loading it from source through tsx, and each dependency on its own.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { REPO_ROOT } from "../lib/lab/index.js";
import { spread, type Spread } from "./stats.js";

/** One start-up measurement: wall and CPU seconds of a process that loads something and exits. */
export interface StartupStep {
  /** What was loaded. */
  readonly label: string;
  /** Wall time, ms. */
  readonly wallMs: Spread;
  /** CPU time (user + system), ms. */
  readonly cpuMs: Spread;
}

/** Dependencies bosun loads at start (import cost of each alone, node's own start-up included). */
const PACKAGES = ["zx", "node-ssh", "ssh2", "ajv", "yaml", "handlebars", "listr2", "libsodium-wrappers", "diff"];

function timedOnce(argv: readonly string[]): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn("/usr/bin/time", ["-f", "%U %S", ...argv], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - t0;
      const [user = "0", sys = "0"] = err.trim().split("\n").pop()!.split(" ");
      if (code !== 0) reject(new Error(`Cannot time ${argv.join(" ")}: exit ${code}\n${err}`));
      else resolve({ wallMs, cpuMs: (Number(user) + Number(sys)) * 1000 });
    });
  });
}

async function step(label: string, argv: readonly string[], reps: number): Promise<StartupStep> {
  const runs: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < reps; i++) runs.push(await timedOnce(argv));
  return { label, wallMs: spread(runs.map((r) => r.wallMs)), cpuMs: spread(runs.map((r) => r.cpuMs)) };
}

/** Measure each start-up step `reps` times (one after another, medians are what count); after compileBosun(). */
export async function profileStartup(reps = 5): Promise<StartupStep[]> {
  if (!existsSync("/usr/bin/time")) return [];
  const steps: StartupStep[] = [];
  const importBosun = ["--input-type=module", "-e", 'await import("bosun")'];
  steps.push(await step("node alone (`node -e ''`)", ["node", "-e", ""], reps));
  steps.push(await step("node + tsx loader (`node --import tsx -e ''`)", ["node", "--import", "tsx", "-e", ""], reps));
  steps.push(await step('bosun, the package (`import "bosun"`: dist/, what the timed runs load)', ["node", ...importBosun], reps));
  steps.push(await step("bosun from source through tsx (lib/*.ts)", ["node", "--import", "tsx", "bench/startup-import.ts"], reps));
  for (const pkg of PACKAGES) {
    steps.push(await step(`package ${pkg} alone`, ["node", "--input-type=module", "-e", `await import(${JSON.stringify(pkg)})`], reps));
  }
  return steps;
}
