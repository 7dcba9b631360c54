import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { sh } from "../../lib/core/command.js";
import type { Playbook, PlayDefinition } from "../../lib/run/playbook.js";
import { defineTask, unchanged } from "../../lib/core/task.js";
import type { Vars } from "../../lib/inventory/types.js";
import { Capture } from "./fixtures.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-cli-"));
  mkdirSync(path.join(dir, "inventory"));
  // controller-tools: sh (the probe task's `true`)
  const host = "      ansible_connection: local\n";
  writeFileSync(path.join(dir, "inventory", "local.yml"), `all:\n  hosts:\n    alpha:\n${host}    beta:\n${host}`);
  writeFileSync(path.join(dir, "inventory", "broken.yml"), "all:\n  hosts:\n    alpha: [unclosed\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function book(run: PlayDefinition["run"], options: Playbook["options"] = {}): Playbook {
  return { name: "demo", plays: [{ name: "demo", hosts: "all", options, run }], options };
}

/** A task whose check does nothing on the host and calls `during` (e.g. to press Ctrl-C mid-task). */
const noteTask = defineTask<{ note: string; during?: () => void }>({
  id: "test.note",
  title: (p) => `note ${p.note}`,
  async check(_host, p) {
    p.during?.();
    return unchanged(p.note);
  },
});

/** A task whose check runs one harmless command. */
const probeTask = defineTask<{ name: string }>({
  id: "test.probe",
  title: (p) => `probe ${p.name}`,
  async check(host) {
    await host.exec(sh`true`);
    return unchanged();
  },
});

async function cli(b: Playbook, argv: string[]): Promise<{ code: number; out: Capture; err: Capture }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(b, argv, { stdout: out, stderr: err, cwd: dir, program: "tsx playbooks/demo.ts", handleSignals: false });
  return { code, out, err };
}

describe("runCli()", () => {
  const idle = book(async () => {});

  test("returns 1 and one message without a stack trace for a missing inventory file", async () => {
    const { code, out, err } = await cli(idle, ["--inventory", "inventory/nope.yml"]);
    expect(code).toBe(1);
    expect(out.text).toBe("");
    expect(err.text).toBe("error: Cannot load inventory inventory/nope.yml: no such file or directory\n");
  });

  test("returns 1 and names file and line for a broken inventory", async () => {
    const { code, err } = await cli(idle, ["-i", "broken"]);
    expect(code).toBe(1);
    expect(err.text).toMatch(/^error: .*inventory\/broken\.yml.*\d/);
    expect(err.text).not.toMatch(/\n\s+at /);
  });

  test("returns 1 with a usage hint for an unknown option, and runs nothing", async () => {
    let ran = false;
    const { code, err } = await cli(
      book(async () => void (ran = true)),
      ["-i", "local", "--chek"],
    );
    expect(code).toBe(1);
    expect(err.text).toBe("error: Unknown option --chek\n  hint: Did you mean --check? Run with --help to see the options.\n");
    expect(ran).toBe(false);
  });

  test("returns 1 for a --limit that matches nothing, and runs nothing", async () => {
    let ran = false;
    const { code, err } = await cli(
      book(async () => void (ran = true)),
      ["-i", "local", "--limit", "gamma"],
    );
    expect(code).toBe(1);
    expect(err.text).toMatch(/^\[WARNING\]: Could not match supplied host pattern, ignoring: gamma\nerror: .*gamma/);
    expect(ran).toBe(false);
  });

  test("prints an unexpected error without its stack trace, unless -vv", async () => {
    const buggy: Playbook = {
      name: "buggy",
      options: {},
      plays: [
        {
          name: "buggy",
          get hosts(): string {
            throw new Error("a bug in the playbook");
          },
          run: async () => {},
        },
      ],
    };
    const quiet = await cli(buggy, ["-i", "local"]);
    expect(quiet.code).toBe(1);
    expect(quiet.err.text).toBe("error: a bug in the playbook\n  (run with -vv for the stack trace)\n");
    const loud = await cli(buggy, ["-i", "local", "-vv"]);
    expect(loud.err.text).toMatch(/^error: Error: a bug in the playbook\n\s+at /);
  });

  test("prints help generated from the playbook's options and returns 0", async () => {
    const { code, out } = await cli(
      book(async () => {}, { tag: { type: "string", description: "Image tag" } }),
      ["--help"],
    );
    expect(code).toBe(0);
    expect(out.text).toContain("Usage: tsx playbooks/demo.ts [options]");
    expect(out.text).toMatch(/--tag <value>\s+Image tag/);
  });

  test("runs the play, passes playbook options and -e as vars, prints lines and the recap, returns 0", async () => {
    const seen: Vars[] = [];
    const b = book(
      async (host, vars) => {
        seen.push(vars);
        await host.run(noteTask({ note: String(vars.tag) }));
      },
      { tag: { type: "string", description: "Image tag" }, rollback: { type: "boolean", description: "Roll back" } },
    );
    const { code, out, err } = await cli(b, ["-i", "local", "--limit", "alpha", "--tag", "sha-abc123", "--rollback", "-e", "release=42"]);
    expect(err.text).toBe("");
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ tag: "sha-abc123", rollback: true, release: "42" });
    expect(out.lines).toContain("ok: [alpha] note sha-abc123");
    expect(out.text).toMatch(/^alpha : ok=1 {3}changed=0 {3}unreachable=0 {3}failed=0 {3}skipped=0 {3}ignored=0 {3}\d+ms$/m);
  });

  test("returns 2 when a host fails and shows its error in the recap", async () => {
    const b = book(async (host) => {
      if (host.name === "beta") throw new Error("beta broke");
    });
    const { code, out } = await cli(b, ["-i", "local"]);
    expect(code).toBe(2);
    expect(out.lines).toContain("fatal: [beta] beta broke");
    expect(out.text).toContain("beta failed:\n  [beta] beta broke");
  });

  test("with --json prints only one JSON document on stdout", async () => {
    const b = book(async (host) => void (await host.run(noteTask({ note: "x" }))));
    const { code, out, err } = await cli(b, ["-i", "local", "--json"]);
    expect(code).toBe(0);
    expect(err.text).toBe("");
    const doc = JSON.parse(out.text);
    expect(doc.plays[0].tasks[0].hosts.alpha).toMatchObject({ changed: false, failed: false, action: "test.note", msg: "x" });
    expect(doc.stats.beta).toMatchObject({ ok: 1, failures: 0, unreachable: 0 });
  });

  test("an interrupt lets the running task finish, starts nothing new, says interrupted and returns 130", async () => {
    const out = new Capture();
    const err = new Capture();
    const b = book(async (host) => {
      await host.run(noteTask({ note: "in flight", during: () => void process.emit("SIGINT") }));
      await host.run(probeTask({ name: "after" }));
    });
    const code = await runCli(b, ["-i", "local", "--limit", "alpha"], { stdout: out, stderr: err, cwd: dir });
    expect(code).toBe(130);
    expect(err.text).toContain("interrupting: the running tasks finish, nothing new starts");
    expect(out.lines).toContain("ok: [alpha] note in flight");
    expect(out.text).not.toContain("probe after");
    expect(out.text).toMatch(/^interrupted: the run stopped/m);
    expect(process.listenerCount("SIGINT")).toBe(0);
  });
});
