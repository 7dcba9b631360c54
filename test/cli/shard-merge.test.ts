/**
 * Shards and merge-reports through the CLI on local hosts (no SSH): n shard runs with --json,
 * merged, print the recap, JSON and JUnit of one run over all hosts, and its exit code.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { runMergeReports } from "../../lib/cli/merge-reports.js";
import { sh } from "../../lib/core/command.js";
import { changed, defineTask, unchanged } from "../../lib/core/task.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { shardOfHost } from "../../lib/run/shard.js";
import { Capture } from "./fixtures.js";

const HOSTS = Array.from({ length: 9 }, (_, i) => `node${i + 1}`);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-shard-"));
  mkdirSync(path.join(dir, "inventory"));
  // controller-tools: sh bash (the probe task's commands on ansible_connection: local)
  const hosts = HOSTS.map((h) => `    ${h}:\n      ansible_connection: local\n`).join("");
  writeFileSync(path.join(dir, "inventory", "fleet.yml"), `all:\n  hosts:\n${hosts}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Hosts whose number is odd "drift": the task would change them; node4 fails. */
const probe = defineTask<{ drift: boolean; fail: boolean }>({
  id: "test.probe",
  title: () => "probe",
  async check(host, p) {
    if (p.fail) throw host.fail("Cannot probe: broken on purpose");
    return p.drift ? changed([sh`true`]) : unchanged("in line");
  },
});

function book(failing: readonly string[] = []): Playbook {
  return {
    name: "fleet",
    options: {},
    plays: [
      {
        name: "fleet",
        hosts: "all",
        async run(host) {
          const n = Number(host.name.slice(4));
          await host.run(probe({ drift: n % 2 === 1, fail: failing.includes(host.name) }));
          await host.run(probe({ drift: false, fail: false, title: "second probe" }));
        },
      },
    ],
  };
}

async function cli(b: Playbook, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(b, ["-i", "fleet", ...argv], { stdout: out, stderr: err, cwd: dir, handleSignals: false });
  return { code, out: out.text, err: err.text };
}

async function merge(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runMergeReports(argv, { stdout: out, stderr: err, cwd: dir });
  return { code, out: out.text, err: err.text };
}

/** The recap of a run's output, without timings. */
const untimed = (output: string): string =>
  output
    .slice(output.indexOf("PLAY RECAP"))
    .replace(/ +\d+(\.\d+)?m?s$/gm, "")
    .replace(/ in \d+(\.\d+)?m?s/, "");

async function shardRuns(b: Playbook, total: number, extra: string[] = []): Promise<string[]> {
  const files: string[] = [];
  for (let i = 1; i <= total; i++) {
    const file = `shard-${i}.json`;
    const { out } = await cli(b, ["--json", "--shard", `${i}/${total}`, ...extra]);
    writeFileSync(path.join(dir, file), out);
    files.push(file);
  }
  return files;
}

describe("--shard and merge-reports", () => {
  test("every host runs in exactly one of the shards", async () => {
    const seen: string[] = [];
    for (const file of await shardRuns(book(), 3)) {
      const doc = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { stats: Record<string, unknown>; shard: unknown };
      seen.push(...Object.keys(doc.stats));
    }
    expect(seen.sort()).toEqual([...HOSTS].sort());
  });

  test("a shard without hosts succeeds with an empty report and says so", async () => {
    const { code, out, err } = await cli(book(), ["--limit", "node1", "--json", "--shard", `${shardOfHost("node1", 2) === 1 ? 2 : 1}/2`]);
    expect(code).toBe(0);
    expect(err).toMatch(/warning: shard \d\/2 holds none of the selected hosts, nothing to do/);
    expect((JSON.parse(out) as { stats: object }).stats).toEqual({});
  });

  test("the merged recap, exit code and JUnit equal one run's", async () => {
    const single = await cli(book(["node4"]), []);
    const files = await shardRuns(book(["node4"]), 3);
    const merged = await merge(["--junit", "junit.xml", "--output", "merged.json", ...files]);
    expect(merged.err).toBe("");
    expect(untimed(merged.out)).toBe(untimed(single.out));
    expect(untimed(single.out)).toMatch(/^PLAY RECAP[^]*node3 +: ok=2 +changed=1 [^]*node4 +: ok=0 +changed=0 +unreachable=0 +failed=1 /);
    expect(merged.code).toBe(2);
    expect(single.code).toBe(2);
    const doc = JSON.parse(readFileSync(path.join(dir, "merged.json"), "utf8")) as {
      plays: { tasks: { hosts: object }[] }[];
      exit_code: number;
    };
    expect(doc.exit_code).toBe(2);
    expect(doc.plays[0]?.tasks.map((t) => Object.keys(t.hosts).length)).toEqual([9, 8]);
    const junit = readFileSync(path.join(dir, "junit.xml"), "utf8");
    expect(junit).toMatch(/tests="17" failures="1"/);
    expect(junit).toMatch(
      /<testcase classname="node4" name="probe"[^>]*>\s*<failure type="failed" message="\[node4\] test.probe[^"]*Cannot probe: broken on purpose"/,
    );
  });

  test("--check --fail-on-change exits 3 when a host drifted, in one run and merged", async () => {
    const single = await cli(book(), ["--check", "--fail-on-change"]);
    expect(single.code).toBe(3);
    const files = await shardRuns(book(), 2, ["--check", "--fail-on-change"]);
    const merged = await merge(["--junit", "drift.xml", ...files]);
    expect(merged.code).toBe(3);
    expect(untimed(merged.out)).toBe(untimed(single.out));
    expect(untimed(single.out)).toMatch(/^PLAY RECAP[^]*node9 +: ok=2 +changed=1 [^]*check mode/);
    const junit = readFileSync(path.join(dir, "drift.xml"), "utf8");
    expect(junit.match(/<failure type="changed"/g)).toHaveLength(5); // node1, 3, 5, 7, 9
    expect(junit).toContain('message="[node3] test.probe');
  });

  test("without --fail-on-change a check run with changes exits 0", async () => {
    expect((await cli(book(), ["--check"])).code).toBe(0);
  });

  test("--fail-on-change without --check is a usage error", async () => {
    const { code, err } = await cli(book(), ["--fail-on-change"]);
    expect(code).toBe(1);
    expect(err).toMatch(/--fail-on-change needs --check/);
  });

  test("--junit writes the file beside a plain run", async () => {
    const { code } = await cli(book(), ["--junit", "plain.xml"]);
    expect(code).toBe(0);
    expect(readFileSync(path.join(dir, "plain.xml"), "utf8")).toMatch(/^<\?xml[^]*tests="18" failures="0"/);
  });

  test("merge-reports refuses a set with a shard missing, or the same shard twice", async () => {
    const files = await shardRuns(book(), 3);
    const missing = await merge([files[0]!, files[2]!]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/Cannot merge reports: shard 2\/3 missing/);
    const twice = await merge([files[0]!, files[0]!, files[1]!]);
    expect(twice.err).toMatch(/both shard 1\/3/);
  });

  test("merge-reports --partial prints one shard's recap in its own job", async () => {
    const files = await shardRuns(book(), 3);
    const one = await merge(["--partial", files[1]!]);
    expect(one.err).toBe("");
    expect(one.code).toBe(0);
    expect(one.out).toMatch(/PLAY RECAP/);
  });

  test("merge-reports says which file is not a report", async () => {
    writeFileSync(path.join(dir, "empty.json"), "");
    const { code, err } = await merge(["empty.json"]);
    expect(code).toBe(1);
    expect(err).toMatch(/Cannot read report empty.json: not JSON[^]*hint: The file is empty/);
  });

  test("a playbook with serial refuses --shard before anything runs", async () => {
    let ran = false;
    const rolling: Playbook = {
      name: "deploy",
      options: {},
      plays: [{ name: "deploy", hosts: "all", serial: 1, run: async () => void (ran = true) }],
    };
    const { code, err } = await cli(rolling, ["--shard", "1/2"]);
    expect(code).toBe(1);
    expect(err).toMatch(/Cannot run --shard 1\/2: play "deploy" \(serial: 1\) orders its hosts/);
    expect(ran).toBe(false);
  });
});
