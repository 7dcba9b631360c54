/**
 * No input can make bosun run a command it was not asked to run. Hostile strings (quotes, `$()`,
 * backticks, `;`, `&&`, newlines, NUL where it can travel, leading dashes, globs, 10k characters,
 * exotic unicode), each carrying a canary command, go into every string slot of every exported
 * task on a lab host: each value is refused before anything runs, or it runs (--check, then
 * applied where that is safe) and the host shows exactly the literal value, checked with our own
 * commands; the canary never fires. Programs the lab host lacks (docker, git, certbot,
 * gitlab-runner, ufw, nginx) are recording stand-ins; APIs are local stand-ins on 127.0.0.1.
 * The same for inventory values and template variables. Figures go to .lab/injection-summary.json.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Playbook } from "../../lib/run/playbook.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { loadInventory } from "../../lib/inventory/index.js";
import { LAB_DIR } from "../../lib/lab/index.js";
import { ensureFile, templateFile } from "../../lib/tasks/files/index.js";
import { command } from "../../lib/tasks/command.js";
import { useLab } from "../e2e/lab-fixture.js";
import { TaskRunner, type LabTarget } from "../e2e/task-harness.js";
import { startStandIn, type StandIn } from "../support/stand-ins/server.js";
import { startGithubStandIn, type GithubStandIn } from "../support/stand-ins/github.js";
import { startGitlabStandIn, type GitlabStandIn } from "../support/stand-ins/gitlab.js";
import { startCloudflareStandIn, type CloudflareStandIn } from "../support/stand-ins/cloudflare.js";
import { CANARY_PREFIX, hostileValues, localCanaries, type Hostile } from "./hostile-strings.js";
import { CLOUDFLARE_TOKEN, CLOUDFLARE_ZONE, GITHUB_TOKEN, GITLAB_TOKEN, ROOT, injectionCases } from "./injection-cases.js";
import { FAKE_RECORDS, installFakes } from "./injection-fakes.js";
import { fuzzSlot, type SlotReport } from "./injection-harness.js";
import { component, observe, type Attempt } from "./injection-observe.js";
import { hostCanaries, remote } from "./injection-remote.js";
import { runAllCases, summaryTable, totals, writeSummary } from "./injection-run.js";
import { exportedTasks, type AnyTask } from "./injection-slots.js";

const lab = useLab({ name: "t-inject", count: 1 });

/** SSH connections fuzzing in parallel (the host is shared by one test file: a few is plenty). */
const WORKERS = 8;
/** Port of the HTTP server on the host (waitForHttp). */
const HOST_HTTP_PORT = 8089;

let target: LabTarget;
let localDir: string;
let recorder: StandIn;
let github: GithubStandIn;
let gitlab: GitlabStandIn;
let cloudflare: CloudflareStandIn;
let tasks: Map<string, AnyTask>;
const reports: SlotReport[] = [];
const extraReports: SlotReport[] = [];
const started = Date.now();

beforeAll(async () => {
  const info = lab();
  const host = info.hosts[0];
  if (!host) throw new Error("no lab host");
  target = { name: host.name, sshPort: host.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
  localDir = mkdtempSync(path.join(os.tmpdir(), "bosun-inject-"));
  recorder = await startStandIn(() => ({ json: { ok: true } }));
  github = await startGithubStandIn(GITHUB_TOKEN, ["inj/repo"]);
  gitlab = await startGitlabStandIn(GITLAB_TOKEN, { "inj/repo": 7 });
  cloudflare = await startCloudflareStandIn(CLOUDFLARE_TOKEN, { [CLOUDFLARE_ZONE]: "0123456789abcdef0123456789abcdef" });
  tasks = await exportedTasks();
  const setup = await remote(
    target,
    [
      installFakes(),
      // The stand-ins work (else every task using them would only "fail cleanly").
      `docker --version >/dev/null && ls ${FAKE_RECORDS} | grep -q '^docker\\.'`,
      `mkdir -p ${ROOT}/www`,
      `setsid python3 -m http.server ${HOST_HTTP_PORT} --bind 127.0.0.1 --directory ${ROOT}/www >/dev/null 2>&1 </dev/null &`,
      `for i in $(seq 50); do curl -so /dev/null http://127.0.0.1:${HOST_HTTP_PORT}/ && break; sleep 0.1; done`,
    ].join("\n"),
  );
  if (setup.code !== 0) throw new Error(`Cannot prepare the lab host: ${setup.stderr}`);
}, 120_000);

afterAll(async () => {
  await Promise.all([recorder?.close(), github?.close(), gitlab?.close(), cloudflare?.close()]);
  if (!reports.length) return;
  const all = [...reports, ...extraReports];
  const byParameter = all.map((r) => ({ parameter: `${r.task}:${r.slot}`, tried: r.tried }));
  console.log(`Injection: hostile inputs per parameter and outcome\n${summaryTable(reports, extraReports)}`);
  writeSummary(path.join(LAB_DIR, "injection-summary.json"), all, {
    durationSeconds: Math.round((Date.now() - started) / 1000),
    inputsPerParameter: { min: Math.min(...byParameter.map((p) => p.tried)), max: Math.max(...byParameter.map((p) => p.tried)) },
    canariesFired: totals(all).canaries,
  });
});

/** Describe what went wrong in reports, for one readable assertion. */
function defects(list: readonly SlotReport[]): string[] {
  return list.flatMap((r) => [
    ...r.mismatches.map((m) => `${r.task}:${r.slot} #${m.index} ${JSON.stringify(m.value).slice(0, 120)}: ${m.problem}`),
    ...r.checkModeChanges.map((c) => `${r.task}:${r.slot}: ${c}`),
    ...(r.canaries ? [`${r.task}:${r.slot}: ${r.canaries} canary file(s) created: an injected command ran`] : []),
  ]);
}

/** A clean slate for a run (also when jest retries the test): no files, no canaries. */
async function cleanHost(): Promise<void> {
  const r = await remote(
    target,
    `rm -rf ${ROOT} /tmp/${CANARY_PREFIX}* && mkdir -p ${ROOT}/www ${ROOT}/compose && echo ok > ${ROOT}/www/index.html`,
  );
  if (r.code !== 0) throw new Error(`Cannot clean the lab host: ${r.stderr}`);
}

test("every string parameter of every task: hostile values are refused or land literally, and never run", async () => {
  reports.length = 0;
  await cleanHost();
  const cases = injectionCases({ localDir, recorder, github, gitlab, cloudflare, hostHttpPort: HOST_HTTP_PORT });
  reports.push(...(await runAllCases(target, tasks, cases, WORKERS)));
  expect(defects(reports)).toEqual([]);
  // Every slot that has a way to look at the host had values to look at: none was refused or failed wholesale.
  const unverified = reports.filter((r) => cases[r.task]?.fuzz[r.slot]?.observe && r.appliedLiteral + r.checkedLiteral === 0);
  expect(
    unverified.map(
      (r) => `${r.task}:${r.slot} (${JSON.stringify({ rejected: r.rejected, checkFailed: r.checkFailed, applyFailed: r.applyFailed })})`,
    ),
  ).toEqual([]);
  const t = totals(reports);
  // Not everything was refused: most values reached the host and were verified there.
  expect(t.appliedLiteral + t.checkedLiteral).toBeGreaterThan(t.tried / 4);
  expect(reports.length).toBe(Object.values(cases).reduce((n, c) => n + Object.keys(c.fuzz).length, 0));
}, 1_800_000);

/** A YAML double-quoted scalar that reads back as exactly `value` (every non-ASCII or control character escaped). */
function yamlString(value: string): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += `\\U${cp.toString(16).padStart(8, "0")}`;
  }
  return `"${out}"`;
}

function emptyReport(task: string, slot: string): SlotReport {
  return {
    task,
    slot,
    tried: 0,
    rejected: 0,
    refusedAtQuoting: 0,
    checkFailed: 0,
    checked: 0,
    checkedLiteral: 0,
    appliedLiteral: 0,
    appliedUnobserved: 0,
    applyFailed: 0,
    canaries: 0,
    mismatches: [],
    checkModeChanges: [],
    failures: [],
    durationMs: 0,
  };
}

test("hostile inventory values reach a file name, a file and a template literally, and are never re-templated", async () => {
  extraReports.length = 0;
  const began = Date.now();
  const values: Hostile[] = hostileValues("inventory:host var", 20);
  const names = values.map((_, i) => `hostile_${i}`);
  const dir = mkdtempSync(path.join(localDir, "inventory-"));
  const inventoryFile = path.join(dir, "inventory.yml");
  writeFileSync(
    inventoryFile,
    [
      "all:",
      "  hosts:",
      `    ${target.name}:`,
      "      ansible_host: 127.0.0.1",
      `      ansible_port: ${target.sshPort}`,
      "      ansible_user: root",
      `      ansible_ssh_private_key_file: ${target.keyPath}`,
      `      bosun_known_hosts: ${target.knownHostsPath}`,
      ...values.map((h, i) => `      ${names[i]}: ${yamlString(h.value)}`),
      "",
    ].join("\n"),
  );
  // Handlebars in the values must come out as text: the template is rendered once, values never are.
  const template = path.join(dir, "all.hbs");
  writeFileSync(template, names.map((n) => `{{${n}}}|{{{${n}}}}\n`).join(""));
  const inventory = await loadInventory(inventoryFile);
  const vars = inventory.hosts.get(target.name)?.vars ?? {};
  names.forEach((n, i) => expect(vars[n]).toBe(values[i]?.value));

  const book: Playbook = {
    name: "inventory-injection",
    options: {},
    plays: [
      {
        name: "inventory values",
        hosts: "all",
        options: {},
        async run(host, v) {
          for (const [i, n] of names.entries()) {
            const value = String(v[n]);
            await host.run(
              ensureFile({
                path: `${ROOT}/inv/${i}-${component(value).slice(0, 100)}`,
                content: value,
                createParents: true,
                ignoreErrors: true,
              }),
            );
          }
          await host.run(templateFile({ src: template, dest: `${ROOT}/inv-template`, createParents: true }));
        },
      },
    ],
  };
  const report = await runPlaybook(book, { inventory });
  expect(report.hostErrors).toEqual({});
  const results = report.plays[0]?.results ?? [];
  const attempts: Attempt[] = values.map((hostile, i) => ({ index: i, hostile, value: hostile.value }));
  const applied = attempts.flatMap((a) => {
    const result = results[a.index];
    return result && !result.failed ? [{ attempt: a, result }] : [];
  });
  const stamp = "inventory";
  const fileMismatches = await observe(
    target,
    {
      kind: "tree",
      root: `${ROOT}/inv`,
      entry: (a) => ({ path: `${a.index}-${component(a.value).slice(0, 100)}`, type: "f", content: a.value }),
    },
    { applied, attempts },
    stamp,
  );
  const templated = await remote(target, `base64 -w0 < ${ROOT}/inv-template`);
  const wantTemplate = values.map((h) => `${h.value}|${h.value}\n`).join("");
  const canaries = new Set(values.map((h) => `${CANARY_PREFIX}${h.canary}`));
  const fired = [...(await hostCanaries(target)), ...localCanaries()].filter((c) => canaries.has(c));

  const files: SlotReport = { ...emptyReport("inventory", "host var → ensureFile path and content"), tried: values.length };
  files.appliedLiteral = applied.length - new Set(fileMismatches.map((m) => m.index)).size;
  files.applyFailed = values.length - applied.length;
  files.mismatches = fileMismatches;
  files.canaries = fired.length;
  files.durationMs = Date.now() - began;
  const rendered = Buffer.from(templated.stdout.trim(), "base64").toString("utf8");
  const tpl: SlotReport = { ...emptyReport("inventory", "host var → templateFile"), tried: values.length };
  tpl.appliedLiteral = rendered === wantTemplate ? values.length : 0;
  if (rendered !== wantTemplate)
    tpl.mismatches = [{ index: -1, value: "", problem: `the template rendered ${JSON.stringify(rendered.slice(0, 300))}` }];
  extraReports.push(files, tpl);

  expect(defects([files, tpl])).toEqual([]);
  // Only names the file system refuses (more than 255 bytes) may fail; the rest landed.
  expect(files.appliedLiteral).toBeGreaterThanOrEqual(
    values.filter((h) => Buffer.byteLength(component(h.value).slice(0, 100)) < 250).length,
  );
}, 300_000);

test("through sudo as a non-root user (the command quoted once more, inside sh -c): values still reach the command literally", async () => {
  const setup = await remote(
    target,
    [
      "id -u injsudo >/dev/null 2>&1 || useradd -m -s /bin/sh injsudo",
      "mkdir -p /home/injsudo/.ssh && cp /root/.ssh/authorized_keys /home/injsudo/.ssh/ && chown -R injsudo: /home/injsudo/.ssh",
      "echo 'injsudo ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/injsudo && chmod 0440 /etc/sudoers.d/injsudo",
    ].join("\n"),
  );
  expect(setup.code).toBe(0);
  const cases = injectionCases({ localDir, recorder, github, gitlab, cloudflare, hostHttpPort: HOST_HTTP_PORT });
  const run = cases["command.run"];
  const task = tasks.get("command.run");
  if (!run || !task) throw new Error("no command.run case");
  const runner = new TaskRunner(target, "injsudo", { enabled: true });
  const sudoReports: SlotReport[] = [];
  try {
    // The runner logs in as injsudo and really runs as root through sudo.
    const who = await runner.run(command({ cmd: ["sh", "-c", "echo $(id -un) $SUDO_USER"] }));
    expect(who.output?.stdout).toBe("root injsudo\n");
    for (const slot of ["cmd?", "stdin", "env.*"] as const) {
      const fuzz = run.fuzz[slot];
      if (fuzz) sudoReports.push(await fuzzSlot({ target, runner }, task, slot, fuzz, "sudo"));
    }
  } finally {
    await runner.close();
  }
  extraReports.splice(0, extraReports.length, ...extraReports.filter((r) => !r.slot.endsWith("(sudo)")), ...sudoReports);
  expect(defects(sudoReports)).toEqual([]);
  for (const r of sudoReports) expect(r.appliedLiteral).toBeGreaterThan(r.tried / 2);
}, 300_000);

test("no canary exists anywhere on the host or the controller after all of it", async () => {
  expect(await hostCanaries(target)).toEqual([]);
  expect(localCanaries()).toEqual([]);
  // The canaries could fire: the same command, run on purpose, does create one (a check that can fail).
  const r = await remote(target, `touch /tmp/${CANARY_PREFIX}selftest`);
  expect(r.code).toBe(0);
  expect(await hostCanaries(target)).toEqual([`${CANARY_PREFIX}selftest`]);
  await remote(target, `rm -f /tmp/${CANARY_PREFIX}selftest`);
});
