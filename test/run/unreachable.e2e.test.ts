/** An unreachable host among reachable ones, through the CLI on real lab hosts: the others finish. */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { playbook } from "../../lib/run/playbook.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { useLab, sshExec } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-unreach", count: 2 });

const book = playbook({
  name: "mixed",
  hosts: "all",
  async run(host) {
    await host.run(ensureFile({ path: "/srv/reached", content: `${host.name}\n`, createParents: true }));
  },
});

test("an unreachable host is reported apart, the reachable hosts finish, and the exit code is 4", async () => {
  const info = lab();
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-unreach-"));
  const hosts = info.hosts.map((h) => `    ${h.name}:\n      ansible_host: 127.0.0.1\n      ansible_port: ${h.sshPort}\n`).join("");
  const inventory = path.join(dir, "inv.yml");
  writeFileSync(
    inventory,
    `all:\n  vars:\n    ansible_ssh_private_key_file: ${info.keyPath}\n    bosun_known_hosts: ${info.knownHostsPath}\n    bosun_connect_retries: 0\n  hosts:\n${hosts}    gone:\n      ansible_host: 127.0.0.1\n      ansible_port: 1\n`,
  );
  for (const h of info.hosts) await sshExec(h, "rm -f /srv/reached");
  let out = "";
  const code = await runCli(book, ["-i", inventory], {
    stdout: { write: (s: string) => void (out += s) },
    stderr: { write: (s: string) => void (out += s) },
    handleSignals: false,
  });
  expect(code).toBe(4);
  expect(out).toMatch(/gone\s*:.*unreachable=1/);
  expect(out).toMatch(/Cannot connect to root@127\.0\.0\.1:1: connection refused/);
  for (const h of info.hosts) expect((await sshExec(h, "cat /srv/reached")).stdout).toBe(`${h.name}\n`);
});
