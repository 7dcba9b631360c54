/**
 * `--json` is shaped as Ansible's json callback (ansible.posix.json): a consumer written for
 * Ansible's output (test/fixtures/json-callback/consumer.py) reads ansible-playbook's output and
 * bosun's output of the same playbook, unchanged, and sees the same things.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { sh } from "../../lib/core/command.js";
import { playbook } from "../../lib/run/playbook.js";
import { command } from "../../lib/tasks/command.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { Capture } from "./fixtures.js";

const fixtures = path.resolve("test/fixtures/json-callback");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-json-callback-"));
  // One local host and one that refuses connections (port 1), in Ansible's INI format for both tools.
  writeFileSync(
    path.join(dir, "hosts"),
    // controller-tools: sh bash ansible-playbook python3 ssh file lsattr basename cat chmod chown cut ldconfig mkdir mktemp mv printf readlink rm sha256sum sleep stat (Ansible and its modules)
    "[app]\nhere ansible_connection=local ansible_python_interpreter=/usr/bin/python3\ngone ansible_host=127.0.0.1 ansible_port=1 ansible_user=root\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function freshOutDir(name: string): string {
  const out = path.join(dir, name);
  rmSync(out, { recursive: true, force: true });
  execFileSync("mkdir", ["-p", out]);
  writeFileSync(path.join(out, "app.conf"), "port=80\n");
  return out;
}

function consume(file: string): unknown {
  // controller-tools: python3 (the consumer is Python, as tools written for Ansible usually are)
  return JSON.parse(execFileSync("python3", [path.join(fixtures, "consumer.py"), file], { encoding: "utf8" }));
}

test("a consumer of Ansible's json callback reads bosun's --json as it reads ansible-playbook's", async () => {
  const ansibleOut = freshOutDir("ansible");
  // controller-tools: ansible-playbook (the reference output)
  const ansible = spawnSync(
    "ansible-playbook",
    [
      "-i",
      path.join(dir, "hosts"),
      path.join(fixtures, "site.yml"),
      "--diff",
      "-t",
      "all",
      "--skip-tags",
      "never-selected",
      "-e",
      `out_dir=${ansibleOut}`,
    ],
    {
      encoding: "utf8",
      env: {
        ...process.env,
        ANSIBLE_STDOUT_CALLBACK: "ansible.posix.json",
        ANSIBLE_HOST_KEY_CHECKING: "False",
        ANSIBLE_RETRY_FILES_ENABLED: "False",
      },
    },
  );
  expect(ansible.stdout).toContain('"plays"');
  writeFileSync(path.join(dir, "ansible.json"), ansible.stdout);

  const bosunOut = freshOutDir("bosun");
  const book = playbook({
    name: "app",
    hosts: "app",
    async run(host) {
      await host.run(ensureFile({ path: `${bosunOut}/app.conf`, content: "port=8080\n" }));
      await host.run(command({ cmd: sh`printf 'one\ntwo\n'` }));
      await host.run(command({ cmd: sh`true`, tags: ["never-selected"] }));
    },
  });
  const out = new Capture();
  await runCli(book, ["-i", path.join(dir, "hosts"), "--json", "--diff", "--skip-tags", "never-selected"], {
    stdout: out,
    stderr: new Capture(),
    cwd: dir,
    handleSignals: false,
  });
  writeFileSync(path.join(dir, "bosun.json"), out.text);

  const expected = {
    stats: { gone: [0, 0, 0, 1, 0], here: [2, 2, 0, 0, 0] },
    tasks: [
      { host: "here", changed: true, failed: false, diff: [["port=80\n", "port=8080\n"]] },
      { host: "here", changed: true, failed: false, stdout_lines: ["one", "two"] },
    ],
    unreachable: [["gone", true]],
    play_paths: [true],
  };
  expect(consume(path.join(dir, "ansible.json"))).toEqual(expected);
  expect(consume(path.join(dir, "bosun.json"))).toEqual(expected);
}, 60_000);
