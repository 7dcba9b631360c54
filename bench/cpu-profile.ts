/**
 * Controller CPU per host on a no-op run: `tsx bench/cpu-profile.ts [--hosts 50] [--name prof] [--keep-lab]`.
 * Brings up the lab, runs the benchmark playbook once (first run, prefetch list written), then the
 * no-op run in a child process three ways: as shipped, without ssh2's native crypto binding (as when
 * npm skipped ssh2's install script), and without prefetch; each with `--cpu-prof`, and prints the
 * CPU per host, the negotiated cipher, and the top functions of the profile by self time.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { REPO_ROOT, labDown } from "../lib/lab/index.js";
import { runProcess } from "../lib/lab/process.js";
import { bringUpLab, writeInventory } from "./lab.js";
import { loadAverage } from "./machine.js";
import { pristineChecksums, resetHosts } from "./host-state.js";

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function (and by package), top `n`. */
function topOf(file: string, n: number): { fn: string[]; pkg: string[] } {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const us = p.timeDeltas[i] ?? 0;
    const url = node.callFrame.url;
    const where =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
      (url.includes("/bosun/") || url.includes("/lib/") ? "bosun" : url ? "node" : "(vm)");
    const name = `${node.callFrame.functionName || "(anonymous)"} ${url.replace(/.*node_modules\//, "").replace(/.*\/(lib|dist)\//, "$1/")}:${node.callFrame.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    const group = url ? where : node.callFrame.functionName;
    pkg.set(group, (pkg.get(group) ?? 0) + us);
  });
  const top = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return { fn: top(fn), pkg: top(pkg) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      hosts: { type: "string", default: "50" },
      name: { type: "string", default: "prof" },
      "keep-lab": { type: "boolean", default: false },
    },
  });
  const n = Number(values.hosts);
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-cpu-"));
  const log = (l: string) => console.log(l);
  try {
    await runProcess(
      [
        "npx",
        "esbuild",
        "bench/bosun-child.ts",
        "bench/bosun-playbook.ts",
        "--platform=node",
        "--format=esm",
        "--outdir=bench/.build",
        "--log-level=error",
      ],
      { cwd: REPO_ROOT },
    );
    const { info } = await bringUpLab(values.name, n, log);
    const hosts = info.hosts.slice(0, n);
    await resetHosts(hosts, await pristineChecksums(hosts[0]!.container));
    const inventory = writeInventory(dir, info, hosts);
    const cache = path.join(dir, "cache");
    /** The compiled benchmark child's argv on these hosts, then `extra`. */
    const child = (extra: readonly string[]) => [
      "bench/.build/bosun-child.js",
      "--inventory",
      inventory,
      "--forks",
      String(n),
      "--out",
      path.join(dir, "out.json"),
      ...extra,
    ];
    await runProcess(["node", ...child(["--prefetch", "--cache-dir", cache])], { cwd: REPO_ROOT });
    const variants: [string, string[], NodeJS.ProcessEnv][] = [
      ["as shipped (native binding, prefetch)", ["--prefetch", "--cache-dir", cache], {}],
      ["without ssh2's native binding (prefetch)", ["--prefetch", "--cache-dir", cache], { BOSUN_BENCH_NO_SSH2_BINDING: "1" }],
      ["as shipped, without prefetch", [], {}],
    ];
    for (const [label, args, env] of variants) {
      const profDir = path.join(dir, `prof-${label.replace(/\W+/g, "-")}`);
      const load = loadAverage()[0];
      const preload = ["--require", path.join(REPO_ROOT, "bench", "ssh2-probe.cjs")];
      const run = await runProcess(["node", ...preload, "--cpu-prof", `--cpu-prof-dir=${profDir}`, ...child(args)], {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env, BOSUN_BENCH_LOG_CIPHER: "1" },
      });
      const out = JSON.parse(readFileSync(path.join(dir, "out.json"), "utf8")) as {
        runMs: number;
        cpuUserMs: number;
        cpuSysMs: number;
        exitCode: number;
        hosts: Record<string, { changed: number }>;
      };
      const cpu = out.cpuUserMs + out.cpuSysMs;
      log(
        `\n${label}: ${n} hosts, exit ${out.exitCode}, in run ${(out.runMs / 1000).toFixed(2)} s, process CPU ${(cpu / 1000).toFixed(2)} s = ${(cpu / n).toFixed(1)} ms per host (load ${load})`,
      );
      log(
        run.stderr
          .split("\n")
          .filter((l) => l.startsWith("ssh2:"))
          .map((l) => `  ${l}`)
          .join("\n"),
      );
      const prof = readdirSync(profDir).map((f) => path.join(profDir, f))[0]!;
      const { fn, pkg } = topOf(prof, 12);
      log(`  by package (self time):\n${pkg.map((l) => `    ${l}`).join("\n")}`);
      log(`  top functions (self time):\n${fn.map((l) => `    ${l}`).join("\n")}`);
    }
  } finally {
    if (!values["keep-lab"]) await labDown({ name: values.name }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
