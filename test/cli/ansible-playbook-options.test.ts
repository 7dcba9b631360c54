/** ansible-playbook's listing, version, syntax-check, --start-at-task and connection options through runCli. */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { defineTask, unchanged } from "../../lib/core/task.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { Capture } from "./fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-ansible-options-"));
  mkdirSync(path.join(dir, "inventory"));
  // controller-tools: none -- its tasks run no command on these local hosts
  const local = "          ansible_connection: local\n";
  writeFileSync(
    path.join(dir, "inventory", "local.yml"),
    `all:\n  children:\n    web:\n      hosts:\n        alpha:\n${local}        beta:\n${local}    db:\n      hosts:\n        gamma:\n${local}`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seen: string[] = [];
const step = defineTask<{ name: string }>({
  id: "test.step",
  title: (p) => p.name,
  async check(host, p) {
    seen.push(`${host.name}:${p.name}`);
    return unchanged();
  },
});

const book: Playbook = {
  name: "site",
  options: {},
  plays: [
    {
      name: "web",
      hosts: "web",
      async run(host) {
        await host.run(step({ name: "first", tags: ["base"] }));
        await host.run(step({ name: "second", tags: ["app"] }));
        await host.run(step({ name: "third" }));
      },
    },
    {
      name: "db",
      hosts: "db",
      async run(host) {
        await host.run(step({ name: "dump", tags: ["db"] }));
      },
    },
  ],
};

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(book, ["-i", "inventory/local.yml", ...argv], { stdout: out, stderr: err, cwd: dir, handleSignals: false });
  return { code, out: out.text, err: err.text };
}

beforeEach(() => void seen.splice(0));

test("--list-hosts lists each play's pattern and hosts after --limit, and runs no task", async () => {
  const r = await cli(["--list-hosts", "--limit", "alpha,gamma"]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("  play #1 (web): web\tTAGS: []\n    pattern: ['web']\n    hosts (1):\n      alpha\n");
  expect(r.out).toContain("  play #2 (db): db\tTAGS: []\n    pattern: ['db']\n    hosts (1):\n      gamma\n");
  expect(seen).toEqual([]);
});

test("--list-tasks lists the tasks a --check pass ran per host, with their tags", async () => {
  const r = await cli(["--list-tasks", "--limit", "alpha"]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/alpha: tasks:\n\s+first \(test\.step.*\)\tTAGS: \[base\]\n\s+second .*TAGS: \[app\]\n\s+third .*TAGS: \[\]/);
});

test("--list-tags lists the tags per host", async () => {
  const r = await cli(["--list-tags"]);
  expect(r.out).toContain("alpha: TASK TAGS: [app, base]");
  expect(r.out).toContain("gamma: TASK TAGS: [db]");
});

test("--start-at-task skips each host's tasks before the named one", async () => {
  const r = await cli(["--start-at-task", "second", "--limit", "web"]);
  expect(r.code).toBe(0);
  expect(seen.sort()).toEqual(["alpha:second", "alpha:third", "beta:second", "beta:third"]);
});

test("--version prints bosun's version and --syntax-check runs nothing", async () => {
  expect((await cli(["--version"])).out).toMatch(/^bosun \d+\.\d+\.\d+ \(node v\d+/);
  const syntax = await cli(["--syntax-check"]);
  expect(syntax).toMatchObject({ code: 0, out: "\nplaybook: site\n" });
  expect(seen).toEqual([]);
});
