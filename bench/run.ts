/**
 * `npm run bench`: bosun against Ansible on the same 20 bootstrap tasks, on lab hosts.
 *
 *   npm run bench                                  1, 10 and 50 hosts; 5, 5 and 3 repetitions
 *   npm run bench -- --hosts 1,10 --reps 2         quick mode for development
 *   npm run bench -- --wan                         across a WAN (wan.ts): 0 and 25 ms each way, 1 and 10 hosts, 3 reps
 *   options: --name LAB (bench), --keep-lab, --no-memory, --latest (write latest.* in quick mode too),
 *            --render (write latest.md again from latest.json, measuring nothing), --delays 0,25 (with --wan)
 *
 * For each host count and repetition, each tool in turn (alternating which goes first): reset the
 * hosts to fresh (a cleanup script over ssh, see host-state.ts), a timed first run, a timed no-op
 * re-run; then the floor (connection + a `true` per task). Forks = hosts for both. Then one more
 * first run of each tool at the largest host count with the controller's memory sampled, and a
 * profile of bosun's process start-up.
 * The full run writes bench/results/latest.json and latest.md; a quick run writes
 * bench/results/raw-<date>.json (git-ignored) and prints the table. The figures are never asserted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { labDown, REPO_ROOT } from "../lib/lab/index.js";
import { BENCH_TASKS } from "./bosun-playbook.js";
import { measureFloor } from "./floor.js";
import { bringUpLab, writeInventory } from "./lab.js";
import { toSample } from "./samples.js";
import { profileStartup } from "./startup.js";
import { fingerprint, pristineChecksums, resetHosts } from "./host-state.js";
import { loadAverage, machineInfo } from "./machine.js";
import { renderMarkdown } from "./markdown.js";
import { summarise, verdicts, type BenchResults, type MemoryRun, type RunKind, type Sample, type TaskCommands } from "./report.js";
import { compileBosun, runAnsible, runBosun, type RunFiles, type RunSample, type Tool } from "./tools.js";
import { renderWan, runWan } from "./wan.js";

const RESULTS = path.join(REPO_ROOT, "bench", "results");
const DEFAULT_HOSTS = [1, 10, 50];
const DEFAULT_REPS: Record<number, number> = { 1: 5, 10: 5, 50: 3 };

const log = (line: string) => console.log(line);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Options {
  readonly hosts: number[];
  readonly reps: (hosts: number) => number;
  readonly name: string;
  readonly keepLab: boolean;
  readonly memory: boolean;
  readonly latest: boolean;
  readonly render: boolean;
  readonly wan: boolean;
  readonly delays: number[];
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      hosts: { type: "string" },
      reps: { type: "string" },
      name: { type: "string", default: "bench" },
      "keep-lab": { type: "boolean", default: false },
      "no-memory": { type: "boolean", default: false },
      latest: { type: "boolean", default: false },
      render: { type: "boolean", default: false },
      wan: { type: "boolean", default: false },
      delays: { type: "string", default: "0,25" },
    },
  });
  const hosts = values.hosts ? values.hosts.split(",").map(Number) : values.wan ? [1, 10] : DEFAULT_HOSTS;
  if (hosts.some((n) => !Number.isInteger(n) || n < 1 || n > 50))
    throw new Error(`Cannot run the benchmark on "${values.hosts}" hosts: give counts from 1 to 50, e.g. --hosts 1,10`);
  const reps = values.reps === undefined ? undefined : Number(values.reps);
  if (reps !== undefined && (!Number.isInteger(reps) || reps < 1))
    throw new Error(`Cannot repeat the benchmark "${values.reps}" times: give a whole number`);
  const quick = values.hosts !== undefined || values.reps !== undefined;
  return {
    hosts: [...new Set(hosts)].sort((a, b) => a - b),
    reps: (n) => reps ?? DEFAULT_REPS[n] ?? 3,
    name: values.name,
    keepLab: values["keep-lab"],
    memory: !values["no-memory"],
    latest: !quick || values.latest,
    render: values.render,
    wan: values.wan,
    delays: values.delays.split(",").map(Number),
  };
}

const runTool = (tool: Tool, files: RunFiles, forks: number, tag: string, memory = false) =>
  tool === "ansible"
    ? runAnsible(files, forks, tag, { sampleMemory: memory })
    : runBosun(files, forks, tag, memory, tool === "bosun" ? "node" : "tsx");

/** `--render`: write latest.md again from latest.json (after a change to the report), measuring nothing. */
function render(): void {
  const results = JSON.parse(readFileSync(path.join(RESULTS, "latest.json"), "utf8")) as BenchResults;
  const markdown = renderMarkdown(results);
  writeFileSync(path.join(RESULTS, "latest.md"), markdown);
  log(markdown);
}

/** `--wan`: the WAN benchmark (wan.ts); writes bench/results/wan-<date>.json and .md, and wan-latest.* unless quick. */
async function wan(opts: Options): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-wan-"));
  const started = new Date().toISOString();
  const loadStart = loadAverage();
  const samples = await runWan(
    { hosts: opts.hosts, reps: opts.reps(0), delays: opts.delays, name: `${opts.name}-wan`, keepLab: opts.keepLab, dir },
    log,
  );
  const markdown = `Measured ${started}; load average at the start ${loadStart.join(" ")}, at the end ${loadAverage().join(" ")}.\n\n${renderWan(samples)}\n`;
  const stamp = started.replace(/[:.]/g, "-");
  writeFileSync(path.join(RESULTS, `wan-${stamp}.json`), JSON.stringify({ started, loadStart, samples }, null, 2));
  writeFileSync(path.join(RESULTS, `wan-${stamp}.md`), markdown);
  if (opts.latest) writeFileSync(path.join(RESULTS, "wan-latest.md"), markdown);
  log(`\n${markdown}`);
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.render) return render();
  if (opts.wan) return wan(opts);
  const started = Date.now();
  const maxHosts = Math.max(...opts.hosts);
  const machine = await machineInfo(opts.name);
  log(
    `bosun benchmark: ${opts.hosts.map((h) => `${h} host(s) x ${opts.reps(h)}`).join(", ")}; ${machine.cpu}, nproc ${machine.nproc}, load ${machine.loadAverage.join(" ")}`,
  );
  log("building bosun (dist/) and the benchmark playbook...");
  await compileBosun();
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-bench-"));
  log(`scratch files and tool output: ${dir}`);
  const samples: Sample[] = [];
  const floor: BenchResults["floor"][number][] = [];
  const equivalence: { hosts: number; same: boolean; diff?: string }[] = [];
  const commands: TaskCommands[] = [];
  const memory: MemoryRun[] = [];
  let lab: BenchResults["lab"] = { hosts: 0, upMs: 0 };
  let interrupted = false;
  process.once("SIGINT", () => {
    interrupted = true;
    log("interrupted: finishing the current run, then cleaning up");
  });
  try {
    const t0 = Date.now();
    log(`bringing up ${maxHosts} lab host(s) "${opts.name}"...`);
    const { info, note } = await bringUpLab(opts.name, maxHosts, log);
    lab = { hosts: info.hosts.length, upMs: Date.now() - t0, ...(note ? { note } : {}) };
    log(`  lab up in ${sec(lab.upMs)}`);
    const pristine = await pristineChecksums(info.hosts[0]!.container);

    for (const n of opts.hosts) {
      const hosts = info.hosts.slice(0, n);
      const files: RunFiles = { inventory: writeInventory(dir, info, hosts), dir };
      for (let rep = 0; rep < opts.reps(n) && !interrupted; rep++) {
        const order: Tool[] = rep % 2 === 0 ? ["ansible", "bosun"] : ["bosun", "ansible"];
        const fingerprints: Partial<Record<Tool, string>> = {};
        const perTask: Partial<Record<RunKind, RunSample["perTask"]>> = {};
        for (const [i, tool] of order.entries()) {
          await resetHosts(hosts, pristine);
          // bosun's no-op run is timed twice: the playbook compiled (run by node), then through tsx.
          const runs: [Tool, RunKind][] =
            tool === "bosun"
              ? [
                  ["bosun", "first"],
                  ["bosun", "noop"],
                  ["bosun-tsx", "noop"],
                ]
              : [
                  [tool, "first"],
                  [tool, "noop"],
                ];
          for (const [variant, kind] of runs) {
            if (interrupted) throw new Error("Interrupted: the results so far are not written");
            const loadBefore = loadAverage()[0] as number;
            const r = await runTool(variant, files, n, `${n}-${rep}-${variant}-${kind}`);
            const sample = toSample(r, { hosts: n, rep, tool: variant, kind, order: i, loadBefore });
            samples.push(sample);
            if (variant === "bosun") perTask[kind] = r.perTask;
            log(
              `  [${n} host(s), rep ${rep + 1}/${opts.reps(n)}] ${variant.padEnd(9)} ${kind.padEnd(5)} wall ${sec(r.wallMs)}, in run ${sec(r.runMs)}, cpu ${r.cpuS.toFixed(1)} s, load ${loadBefore}` +
                (sample.valid ? "" : `  INVALID: ${sample.problem?.split("\n")[0]}`),
            );
            if (kind === "first" && rep === 0)
              fingerprints[variant] = (await Promise.all([hosts[0]!, hosts[n - 1]!].map(fingerprint))).join("\n");
          }
        }
        if (rep === 0) {
          const same = fingerprints.ansible === fingerprints.bosun;
          equivalence.push({
            hosts: n,
            same,
            ...(same ? {} : { diff: `ansible:\n${fingerprints.ansible}\nbosun:\n${fingerprints.bosun}` }),
          });
          if (!same) log(`  WARNING: the hosts' state differs between the tools after the first run (see latest.json)`);
        }
        if (!commands.length && perTask.first && perTask.noop) {
          perTask.first.forEach((t, k) =>
            commands.push({
              task: t.task,
              title: t.title,
              first: t.commands,
              firstChanged: t.changed,
              noop: perTask.noop?.[k]?.commands ?? NaN,
            }),
          );
        }
        const f = await measureFloor(hosts, BENCH_TASKS, info.keyPath);
        floor.push({ ...f, rep });
        log(
          `  [${n} host(s), rep ${rep + 1}/${opts.reps(n)}] floor   ${sec(f.totalMs)} (connect ${sec(f.connectMs)}, true ${f.commandMedianMs.toFixed(1)} ms)`,
        );
      }
    }

    if (opts.memory && !interrupted) {
      const hosts = info.hosts.slice(0, maxHosts);
      const files: RunFiles = { inventory: writeInventory(dir, info, hosts), dir };
      for (const tool of ["bosun", "ansible"] as const) {
        // The first run only: the no-op run has the same processes and connections (checked at 1 and 2 hosts).
        await resetHosts(hosts, pristine);
        for (const kind of ["first"] as const) {
          const r = await runTool(tool, files, maxHosts, `mem-${tool}-${kind}`, true);
          memory.push({ tool, kind, hosts: maxHosts, maxRssKb: r.maxRssKb, ...(r.memory ? { tree: r.memory } : {}) });
          log(
            `  [memory, ${maxHosts} hosts] ${tool.padEnd(7)} ${kind.padEnd(5)} tree peak ${Math.round((r.memory?.pssKb ?? 0) / 1024)} MiB PSS in ${r.memory?.processes} processes; largest process ${Math.round(r.maxRssKb / 1024)} MiB`,
          );
        }
      }
      await resetHosts(hosts, pristine);
    }
  } finally {
    if (!opts.keepLab) {
      log(`taking the lab "${opts.name}" down`);
      await labDown({ name: opts.name }).catch((e: Error) => log(`  could not take the lab down: ${e.message}`));
    }
  }

  log("profiling start-up (each step 5 times)...");
  const startup = interrupted ? [] : await profileStartup(5);

  const results: BenchResults = {
    machine,
    endLoadAverage: loadAverage(),
    durationMs: Date.now() - started,
    config: {
      hostCounts: opts.hosts,
      reps: Object.fromEntries(opts.hosts.map((h) => [String(h), opts.reps(h)])),
      tasks: BENCH_TASKS,
      ansible:
        "Ansible: pipelining on, ssh ControlMaster=auto with ControlPersist=60s (a fresh ControlPath per run, so every run starts without a connection, like bosun's), gather_facts: false (bosun gathers nothing up front either), interpreter discovery off (python3 given), host key checking against the lab's known_hosts, forks = hosts, linear strategy, default output.",
      bosun:
        "bosun: runPlaybook() from the package's compiled JavaScript (`import ... from \"bosun\"`, dist/), the playbook compiled ahead of time and run by `node` (bosun's best configuration; the no-op run is also timed with the playbook as TypeScript through tsx), no renderer, forks = hosts, one SSH connection and one remote shell per host, host keys checked against the lab's known_hosts.",
      reset:
        "Fresh hosts: before each tool's first run a cleanup script over ssh removes what the playbook created and restores the edited files (checked against the lab image's checksums); the containers are not recreated.",
    },
    lab,
    samples,
    floor,
    equivalence,
    commands,
    memory,
    startup,
  };
  const stamp = machine.date.replace(/[:.]/g, "-");
  const raw = path.join(RESULTS, `raw-${stamp}.json`);
  writeFileSync(raw, JSON.stringify(results, null, 2));
  const markdown = renderMarkdown(results);
  if (opts.latest) {
    writeFileSync(path.join(RESULTS, "latest.json"), JSON.stringify(results, null, 2));
    writeFileSync(path.join(RESULTS, "latest.md"), markdown);
    log(`\nwrote bench/results/latest.md and latest.json (raw copy ${path.relative(REPO_ROOT, raw)})`);
  } else {
    log(`\nquick run: wrote ${path.relative(REPO_ROOT, raw)} (latest.* untouched; add --latest to replace them)`);
  }
  log(`\n${markdown}`);
  const missed = verdicts(results, summarise(results)).filter((v) => v.met === false);
  if (missed.length) log(`targets missed: ${missed.map((v) => v.target).join("; ")}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
