/**
 * Bad input never half-runs: a malformed inventory, a bad `-e`, an unknown option, an unknown or
 * mistyped task parameter each give one clear message that says where the problem is, no stack
 * trace (not even with -vv: these are expected errors), a non-zero exit, and nothing run. The
 * inventories reach their host with the local connection and the playbook's first task would
 * create a file on this machine: that the file never appears proves nothing ran.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../lib/cli/main.js";
import type { Playbook, PlayDefinition } from "../../lib/run/playbook.js";
import { EXIT } from "../../lib/core/report.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { Capture } from "../cli/fixtures.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/bad-input/", import.meta.url));
const fixture = (name: string): string => path.join(FIXTURES, name);

let dir: string;
let marker: string;
let invoked = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-bad-input-"));
  marker = path.join(dir, "ran");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  rmSync(marker, { force: true });
  invoked = 0;
});

function book(run: PlayDefinition["run"]): Playbook {
  return { name: "bad-input", plays: [{ name: "bad-input", hosts: "all", options: {}, run }], options: {} };
}

/** A playbook whose first task writes the marker file. */
const writesMarker = book(async (host) => {
  invoked++;
  await host.run(ensureFile({ path: marker, content: "ran\n" }));
});

async function cli(b: Playbook, argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await runCli(b, argv, {
    stdout: out,
    stderr: err,
    cwd: FIXTURES,
    program: "tsx playbooks/bad-input.ts",
    handleSignals: false,
  });
  return { code, out: out.text, err: err.text };
}

/** One `error:` line, optionally one `hint:` line, and nothing else. */
const ONE_MESSAGE = /^error: [^\n]+\n( {2}hint: [^\n]+\n)?$/;
const STACK = /\n\s+at [^\n]+:\d+:\d+\)?/;

describe("bad input on the command line: one message with its location, exit 1, nothing run", () => {
  const local = ["-i", fixture("local.yml")];
  test.each([
    ["a YAML syntax error in the inventory", ["-i", fixture("syntax-error.yml")], /syntax-error\.yml:6:1: YAML syntax error: /],
    // An unknown key in a YAML group is Ansible's warning, not an error (test/inventory/sources.test.ts).
    [
      "an INI inventory naming an undefined child group",
      ["-i", fileURLToPath(new URL("../fixtures/inventory-corpus/kubespray-local/inventory/hosts.ini", import.meta.url))],
      /hosts\.ini:15: Section \[k8s-cluster:children\] includes undefined group: calico-rr/,
    ],
    [
      "a wrong type in the inventory",
      ["-i", fixture("wrong-type.yml")],
      /wrong-type\.yml:5:\d+ all\.hosts\.local1\.ansible_port: must be a port number .*"twenty-two"/,
    ],
    [
      "a duplicate key in the inventory",
      ["-i", fixture("duplicate-key.yml")],
      /duplicate-key\.yml:6:\d+: YAML syntax error: Map keys must be unique/,
    ],
    [
      "an !env variable that is not set",
      ["-i", fixture("env-unset.yml")],
      /become settings of host "local1": Cannot use variable "ansible_become_password": environment variable "BOSUN_BAD_INPUT_SURELY_UNSET" is not set \(!env at env-unset\.yml:5:\d+\)/,
    ],
    ["a missing inventory file", ["-i", fixture("nope.yml")], /Cannot load inventory .*nope\.yml: no such file/],
    ["an unknown host in --limit", [...local, "--limit", "nohost"], /Cannot run: --limit "nohost" leaves no host to run on/],
    [
      "an unknown group in --limit",
      [...local, "--limit", "local1:&webservers"],
      /Cannot run: --limit "local1:&webservers" leaves no host to run on/,
    ],
    ["-e @ a missing file", [...local, "-e", "@missing.yml"], /Cannot read -e @missing\.yml: ENOENT \(.*missing\.yml\)/],
    ["-e with broken JSON", [...local, "-e", "{bad json"], /-e '\{bad json':1:\d+: YAML syntax error: /],
    ["-e =x", [...local, "-e", "=x"], /Cannot read -e "=x": "=x" is not key=value/],
    ["-e @ a file with a YAML syntax error", [...local, "-e", "@vars-syntax.yml"], /-e @vars-syntax\.yml:\d+:\d+: YAML syntax error: /],
    ["-e @ a file that is not a mapping", [...local, "-e", "@vars-list.yml"], /-e @vars-list\.yml:1:1.*extra vars must be a mapping/],
    ["an unknown option", [...local, "--frobnicate"], /^error: Unknown option --frobnicate\n/],
    ["a misspelt option", [...local, "--chek"], /^error: Unknown option --chek\n {2}hint: Did you mean --check\?/],
    ["a bad --forks", [...local, "--forks", "many"], /Option --forks needs a whole number of at least 1, not "many"/],
    ["an option without its value", ["-vv", ...local, "-e"], /Option --extra-vars needs a value/],
  ])("%s", async (_label, argv, where) => {
    for (const extra of [[], ["-vv"]]) {
      const { code, out, err } = await cli(writesMarker, [...extra, ...argv]);
      expect({ code, out }).toEqual({ code: EXIT.usage, out: "" });
      // Ansible's warnings (a --limit name that matches nothing) may come first, as in Ansible.
      expect(err.replace(/^\[WARNING\]: [^\n]*\n/gm, "")).toMatch(ONE_MESSAGE);
      expect(err).toMatch(where);
      expect(err).not.toMatch(STACK);
      expect(invoked).toBe(0);
      expect(existsSync(marker)).toBe(false);
    }
  });

  test("an unset !env password of a host the run does not select is not needed", async () => {
    const { code, err } = await cli(writesMarker, ["-i", fixture("env-unset-other-host.yml"), "--limit", "local1"]);
    expect({ code, err }).toEqual({ code: EXIT.ok, err: "" });
    expect(invoked).toBe(1);
  });

  test("the same playbook and inventory without the bad input do run (so the checks above can fail)", async () => {
    const { code, err } = await cli(writesMarker, ["-i", fixture("local.yml")]);
    expect({ code, err }).toEqual({ code: EXIT.ok, err: "" });
    expect(invoked).toBe(1);
    expect(existsSync(marker)).toBe(true);
  });
});

describe("a bad task parameter: refused before the task runs anything, one message naming task, parameter and playbook line", () => {
  const badParams: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown parameter", { content: "x", bogus: 1 }, /Cannot use files\.ensureFile: unknown parameter "bogus"/],
    ["a parameter of the wrong type", { content: "x", mode: 644 }, /Cannot use files\.ensureFile: parameter "mode" must be string/],
    [
      "a parameter outside its pattern",
      { content: "x", mode: "u+rwx" },
      /Cannot use files\.ensureFile: parameter "mode" must match pattern/,
    ],
    [
      "two parameters that exclude each other",
      { content: "x", src: "f" },
      /Cannot use files\.ensureFile: give exactly one of parameters "content" and "src"/,
    ],
  ];
  test.each(badParams)("%s", async (_label, extra, message) => {
    const bad = book(async (host) => {
      invoked++;
      await host.run(ensureFile({ path: marker, ...extra } as never));
    });
    for (const verbosity of [[], ["-vv"]]) {
      const { code, out, err } = await cli(bad, ["-i", fixture("local.yml"), "--json", ...verbosity]);
      // The parameters are checked when the task is called inside the play: the host fails (exit 2), nothing ran on it.
      expect(code).toBe(EXIT.failed);
      const json = JSON.parse(out) as {
        stats: Record<string, { commands: number; failures: number }>;
        host_errors: Record<string, string>;
      };
      expect(json.stats.local1).toMatchObject({ commands: 0, failures: 1 });
      expect(existsSync(marker)).toBe(false);
      expect(json.host_errors.local1).toMatch(message);
      expect(json.host_errors.local1).toMatch(/^\[local1\] files\.ensureFile \(test\/security\/bad-input\.test\.ts:\d+\): /);
      // With -vv the plain renderer reports on stderr too: still one line per failure, no stack.
      expect(err.split("\n").filter((l) => /Cannot use/.test(l)).length).toBeLessThanOrEqual(verbosity.length ? 1 : 0);
      expect(out + err).not.toMatch(STACK);
    }
  });

  test("without --json the failure is printed once as it happens and once in the recap, and nothing else", async () => {
    const bad = book(async (host) => {
      await host.run(ensureFile({ path: marker, content: "x", bogus: 1 } as never));
    });
    const { code, out, err } = await cli(bad, ["-i", fixture("local.yml")]);
    expect(code).toBe(EXIT.failed);
    expect(err).toBe("");
    const lines = out.split("\n").filter((l) => /unknown parameter "bogus"/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(
        /^fatal: \[local1\] files\.ensureFile \(test\/security\/bad-input\.test\.ts:\d+\): Cannot use files\.ensureFile: unknown parameter "bogus"$/,
      ),
      expect.stringMatching(
        /^ {2}\[local1\] files\.ensureFile \(test\/security\/bad-input\.test\.ts:\d+\): Cannot use files\.ensureFile: unknown parameter "bogus"$/,
      ),
    ]);
    expect(out).not.toMatch(STACK);
    expect(existsSync(marker)).toBe(false);
  });
});
