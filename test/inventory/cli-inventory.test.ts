/**
 * The inventory options of the command line: `-i` repeated (merged in order), ANSIBLE_INVENTORY when
 * no `-i` is given, `--limit @file` and the retry file written after a failure when ansible.cfg
 * enables retry files. Hosts are local connections; `--list-hosts` contacts none.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { defineTask, unchanged } from "../../lib/core/task.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { Capture } from "../cli/fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-cli-inventory-"));
  mkdirSync(path.join(dir, "playbooks"));
  // controller-tools: none -- inventories to parse; nothing runs on these hosts
  // controller-tools: sh (the local connections of these hosts)
  writeFileSync(path.join(dir, "hosts.ini"), "[app]\nalpha ansible_connection=local\nbeta ansible_connection=local\n");
  // controller-tools: none -- the same
  writeFileSync(path.join(dir, "more.yml"), "db:\n  hosts:\n    gamma:\n      ansible_connection: local\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A task that fails on host beta and does nothing elsewhere. */
const failOnBeta = defineTask<Record<string, never>>({
  id: "test.failOnBeta",
  title: () => "fail on beta",
  async check(host) {
    if (host.name === "beta") throw new Error("beta fails on purpose");
    return unchanged();
  },
});

const book: Playbook = {
  name: "demo",
  options: {},
  plays: [
    {
      name: "demo",
      hosts: "all",
      run: async (host) => {
        await host.run(failOnBeta({}));
      },
    },
  ],
};

async function cli(argv: string[]): Promise<{ code: number; out: Capture; err: Capture }> {
  const out = new Capture();
  const err = new Capture();
  const playbookPath = path.join(dir, "playbooks", "demo.ts");
  const code = await runCli(book, argv, { stdout: out, stderr: err, cwd: dir, playbookPath, handleSignals: false });
  return { code, out, err };
}

describe("the CLI's inventory options", () => {
  test("-i given twice merges both sources", async () => {
    const { code, out } = await cli(["-i", "hosts.ini", "-i", "more.yml", "--list-hosts"]);
    expect(code).toBe(0);
    expect(out.text).toMatch(/alpha\n\s+beta\n\s+gamma/);
  });

  test("without -i, ANSIBLE_INVENTORY is the inventory", async () => {
    process.env.ANSIBLE_INVENTORY = "more.yml";
    try {
      const { code, out } = await cli(["--list-hosts"]);
      expect(code).toBe(0);
      expect(out.text).toMatch(/hosts \(1\):\n\s+gamma/);
    } finally {
      delete process.env.ANSIBLE_INVENTORY;
    }
  });

  test("a failed host is written to the retry file when ansible.cfg enables it, and --limit @file runs it alone", async () => {
    writeFileSync(path.join(dir, "ansible.cfg"), "[defaults]\nretry_files_enabled = True\n");
    try {
      const first = await cli(["-i", "hosts.ini"]);
      expect(first.code).toBe(2);
      const retry = path.join(dir, "playbooks", "demo.retry");
      expect(readFileSync(retry, "utf8")).toBe("beta\n");
      expect(first.err.text).toContain("to retry, use: --limit @playbooks/demo.retry");
      const again = await cli(["-i", "hosts.ini", "--limit", "@playbooks/demo.retry", "--list-hosts"]);
      expect(again.out.text).toMatch(/hosts \(1\):\n\s+beta\n/);
    } finally {
      rmSync(path.join(dir, "ansible.cfg"));
    }
  });

  test("without retry_files_enabled no retry file is written, as in Ansible", async () => {
    rmSync(path.join(dir, "playbooks", "demo.retry"), { force: true });
    const { code } = await cli(["-i", "hosts.ini"]);
    expect(code).toBe(2);
    expect(existsSync(path.join(dir, "playbooks", "demo.retry"))).toBe(false);
  });
});
