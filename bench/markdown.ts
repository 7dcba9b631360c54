/** The benchmark's results as markdown (bench/results/latest.md). */
import { summarise, verdicts, type BenchResults } from "./report.js";
import { formatSpread, type Spread } from "./stats.js";

const s = (sp: Spread) => formatSpread(sp, 2, 1000);
const ratio = (sp: Spread) => formatSpread(sp, 1);
const kib = (v: number) => `${Math.round(v / 1024)} MiB`;

/** The results as markdown (bench/results/latest.md). */
export function renderMarkdown(r: BenchResults): string {
  const rows = summarise(r);
  const m = r.machine;
  const lines: string[] = [];
  const reps = Object.entries(r.config.reps).map(([h, n]) => `${n} at ${h} host${h === "1" ? "" : "s"}`);
  lines.push(
    `# bosun vs Ansible: benchmark results`,
    ``,
    `${m.date.slice(0, 16).replace("T", " ")} UTC, ${Math.round(r.durationMs / 60000)} min. ${m.cpu}, nproc ${m.nproc}, ${(m.memoryMiB / 1024).toFixed(1)} GiB RAM` +
      ` (${(m.availableMiB / 1024).toFixed(1)} GiB available); load average at start ${m.loadAverage.join(", ")}, at end ${r.endLoadAverage.join(", ")};` +
      ` ${m.otherContainers} other containers running. ${m.os}; Node ${m.node}; ${m.ansible}; bosun ${m.bosun}.`,
    ``,
    `Work: ${r.config.tasks} bootstrap tasks (bench/ansible/site.yml = bench/bosun-playbook.ts). Hosts: Debian bookworm lab containers on this machine.` +
      ` ${r.config.ansible} ${r.config.bosun} ${r.config.reset} Repetitions: ${reps.join(", ")}; tools alternate which goes first.`,
    ``,
    `## Wall time (spawn to exit, what a user waits for), seconds: median (min–max)`,
    ``,
    `| hosts | run | Ansible | bosun | Ansible / bosun (pairs) | bosun, playbook through tsx | Ansible / that | controller CPU s, Ansible | controller CPU s, bosun |`,
    `|---:|---|---:|---:|---:|---:|---:|---:|---:|`,
  );
  for (const w of rows) {
    const tsx = w.tsxWall?.n ? [s(w.tsxWall), ratio(w.ratioTsxWall)] : ["–", "–"];
    lines.push(
      `| ${w.hosts} | ${w.kind === "first" ? "first" : "no-op"} | ${s(w.ansibleWall)} | ${s(w.bosunWall)} | **${ratio(w.ratioWall)}** | ${tsx.join(" | ")} | ${formatSpread(w.ansibleCpu, 1)} | ${formatSpread(w.bosunCpu, 1)} |`,
    );
  }
  lines.push(
    ``,
    `## Inside the run (after interpreter start-up and imports), seconds, and the floor`,
    ``,
    `Ansible: from playbook start to recap (a callback plugin); bosun: \`runPlaybook()\`. Floor: one ssh2 connection per host and a plain \`true\` per task on it, all hosts at once.`,
    ``,
    `| hosts | run | Ansible | bosun | Ansible / bosun (pairs) | floor | bosun / floor | Ansible / floor (best possible ratio) | start-up + exit, Ansible | start-up + exit, bosun |`,
    `|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
  );
  for (const w of rows) {
    lines.push(
      `| ${w.hosts} | ${w.kind === "first" ? "first" : "no-op"} | ${s(w.ansibleRun)} | ${s(w.bosunRun)} | **${ratio(w.ratioRun)}** | ${s(w.floor)} | ${ratio(w.bosunToFloor)} | ${ratio(w.ansibleToFloor)} | ${s(w.ansibleStartup)} | ${s(w.bosunStartup)} |`,
    );
  }
  const invalid = rows.reduce((n, w) => n + w.invalid, 0);
  if (invalid) lines.push(``, `${invalid} run(s) failed or changed the wrong number of tasks and are left out; see latest.json.`);
  lines.push(``, `## Targets (issue 6)`, ``, `| target | measured | |`, `|---|---|---|`);
  for (const v of verdicts(r, rows))
    lines.push(`| ${v.target} | ${v.measured} | ${v.met ? "met" : v.partly ? `**${v.partly}**` : "**missed**"} |`);
  if (r.commands.length) {
    lines.push(
      ``,
      `## bosun's remote commands per task (first host; runner counts)`,
      ``,
      `| task | first run | no-op run |`,
      `|---|---:|---:|`,
    );
    for (const c of r.commands) lines.push(`| ${c.title} | ${c.first}${c.firstChanged ? " (changed)" : ""} | ${c.noop} |`);
    const first = r.commands.reduce((n, c) => n + c.first, 0);
    const noop = r.commands.reduce((n, c) => n + c.noop, 0);
    lines.push(`| **per task** | **${(first / r.commands.length).toFixed(2)}** | **${(noop / r.commands.length).toFixed(2)}** |`);
  }
  if (r.memory.length) {
    const hosts = r.memory[0]?.hosts;
    lines.push(
      ``,
      `## Controller memory at ${hosts} hosts`,
      ``,
      `Peak of the whole process tree (sum of PSS, sampled every 200 ms; Ansible's includes its forked workers, ssh clients and ControlMaster processes), and the largest single process (\`/usr/bin/time\` max RSS).`,
      ``,
      `| tool | run | tree peak (PSS) | processes | largest process (RSS) |`,
      `|---|---|---:|---:|---:|`,
    );
    for (const mr of r.memory) {
      lines.push(
        `| ${mr.tool} | ${mr.kind === "first" ? "first" : "no-op"} | ${mr.tree ? kib(mr.tree.pssKb) : "–"} | ${mr.tree?.processes ?? "–"} | ${kib(mr.maxRssKb)} |`,
      );
    }
  }
  if (r.startup.length) {
    lines.push(
      ``,
      `## Where bosun's start-up goes`,
      ``,
      `A process that loads something and exits, 5 times each: median (min–max). A package's own cost is its row minus "node alone".`,
      ``,
      `| what is loaded | wall ms | CPU ms |`,
      `|---|---:|---:|`,
    );
    for (const st of r.startup) lines.push(`| ${st.label} | ${formatSpread(st.wallMs, 0)} | ${formatSpread(st.cpuMs, 0)} |`);
  }
  const eq = r.equivalence;
  if (eq.length) {
    const same = eq.every((e) => e.same);
    lines.push(
      ``,
      `Same work: after the first run of each tool the host's state (files, modes, owners, checksums, link, account) was ${same ? "identical" : "**different**"} (${eq.map((e) => `${e.hosts} host${e.hosts > 1 ? "s" : ""}: ${e.same ? "same" : "differs"}`).join(", ")}).`,
    );
  }
  lines.push(``, `Lab: ${r.lab.hosts} hosts up in ${(r.lab.upMs / 1000).toFixed(0)} s${r.lab.note ? ` (${r.lab.note})` : ""}.`, ``);
  return lines.join("\n");
}
