/**
 * Shards on real lab hosts over SSH: 20 hosts, `--shard i/4` for i = 1..4 run at once (as four CI
 * jobs of `parallel: 4` would), each writing its --json report; every host runs exactly once (checked
 * on the hosts with our own ssh), and `merge-reports` prints the recap of one run over all 20 hosts.
 * The playbook is tiny on purpose: 20 lab hosts are heavy on a shared machine.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { runMergeReports } from "../../lib/cli/merge-reports.js";
import { sh } from "../../lib/core/command.js";
import { playbook } from "../../lib/run/playbook.js";
import { command } from "../../lib/tasks/command.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { useLab, sshExec } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-shard", count: 20 });

const book = playbook({
  name: "marks",
  hosts: "all",
  async run(host) {
    await host.run(ensureFile({ path: "/srv/shard-mark", content: `${host.name}\n` }));
    await host.run(command({ cmd: sh`echo run >> /srv/shard-runs` }));
  },
});

/** Capture what a CLI call writes. */
function sinks(): { out: { write: (s: string) => boolean }; err: { write: (s: string) => boolean }; text: () => [string, string] } {
  let out = "";
  let err = "";
  return {
    out: { write: (s) => ((out += s), true) },
    err: { write: (s) => ((err += s), true) },
    text: () => [out, err],
  };
}

/** The recap of a run's output without timings. */
const untimed = (output: string): string =>
  output
    .slice(output.indexOf("PLAY RECAP"))
    .replace(/ +\d+(\.\d+)?m?s$/gm, "")
    .replace(/ in \d+(\.\d+)?m?s/, "");

test("four shards run at once cover the 20 hosts exactly once, and their merged recap is one run's", async () => {
  const info = lab();
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-shard-e2e-"));
  const hosts = info.hosts.map((h) => `    ${h.name}:\n      ansible_host: 127.0.0.1\n      ansible_port: ${h.sshPort}\n`).join("");
  const inventory = path.join(dir, "inv.yml");
  writeFileSync(
    inventory,
    `all:\n  vars:\n    ansible_user: root\n    ansible_ssh_private_key_file: ${info.keyPath}\n    bosun_known_hosts: ${info.knownHostsPath}\n  hosts:\n${hosts}`,
  );
  const reset = () => Promise.all(info.hosts.map((h) => sshExec(h, "rm -f /srv/shard-mark /srv/shard-runs")));

  await reset();
  const single = sinks();
  const singleCode = await runCli(book, ["-i", inventory, "--forks", "5"], {
    stdout: single.out,
    stderr: single.err,
    handleSignals: false,
  });
  expect(singleCode).toBe(0);

  await reset();
  const runs = await Promise.all(
    [1, 2, 3, 4].map(async (i) => {
      const s = sinks();
      const code = await runCli(book, ["-i", inventory, "--forks", "2", "--shard", `${i}/4`, "--json"], {
        stdout: s.out,
        stderr: s.err,
        handleSignals: false,
      });
      const file = path.join(dir, `shard-${i}.json`);
      writeFileSync(file, s.text()[0]);
      return { code, file };
    }),
  );
  expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);

  // Exactly once, by the hosts' own record: one line in /srv/shard-runs each.
  const counts = await Promise.all(info.hosts.map(async (h) => `${h.name}=${(await sshExec(h, "wc -l < /srv/shard-runs")).stdout.trim()}`));
  expect(counts).toEqual(info.hosts.map((h) => `${h.name}=1`));
  // ... and by the reports: the shards' hosts are disjoint and cover the fleet.
  const perShard = runs.map((r) => Object.keys((JSON.parse(readFileSync(r.file, "utf8")) as { stats: object }).stats));
  expect(perShard.flat().sort()).toEqual(info.hosts.map((h) => h.name).sort());

  const merged = sinks();
  const mergedCode = await runMergeReports(["--junit", "junit.xml", ...runs.map((r) => r.file)], {
    stdout: merged.out,
    stderr: merged.err,
    cwd: dir,
  });
  expect(merged.text()[1]).toBe("");
  expect(mergedCode).toBe(singleCode);
  expect(untimed(merged.text()[0])).toBe(untimed(single.text()[0]));
  expect(untimed(single.text()[0])).toMatch(/^PLAY RECAP[^]*t-shard20 +: ok=2 +changed=2 +unreachable=0 +failed=0/);
  expect(readFileSync(path.join(dir, "junit.xml"), "utf8")).toMatch(/tests="40" failures="0"/);
}, 900_000);
