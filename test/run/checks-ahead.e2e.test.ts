/**
 * Checks sent ahead at start, through the program a user runs (`tsx playbook.ts`), on a real lab
 * host over SSH with a real keeper: a no-op run on a kept connection takes the answers of the batch
 * its start sent, and those answers are the host as the run found it (a change made on the host
 * between two runs is seen and undone), never the host of an earlier run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { forgetKeptConnections } from "../../lib/connection/keeper/forget.js";
import { useLab, sshExec } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-ahead", count: 1 });

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-ahead-e2e-"))));
afterAll(async () => {
  await forgetKeptConnections(path.join(dir, "keepers"));
  rmSync(dir, { recursive: true, force: true });
});

/** One run of the playbook as a user starts it, keeping connections for 60 s; its exit status and -v output. */
function run(inventory: string): { code: number | null; out: string } {
  // controller-tools: none -- the repository's own tsx, as the README's commands run it
  const r = spawnSync("node_modules/.bin/tsx", ["test/fixtures/playbooks/kept-checks.ts", "-i", inventory, "-v"], {
    encoding: "utf8",
    timeout: 60_000,
    env: {
      ...process.env,
      BOSUN_SSH_PERSIST: "60",
      BOSUN_KEEPER_DIR: path.join(dir, "keepers"),
      BOSUN_CACHE_DIR: path.join(dir, "cache"),
    },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const changed = (out: string) => Number(/changed=(\d+)/.exec(out)?.[1] ?? NaN);
const atStart = (out: string) => out.split("\n").filter((l) => l.includes("(prefetched at start)")).length;

test("a no-op run on a kept connection takes the checks its start sent; a change made on the host in between is seen and undone", async () => {
  const host = lab().hosts[0];
  if (!host) throw new Error("no lab host");
  await sshExec(host, "rm -rf /srv/ahead");
  const inventory = path.join(dir, "inv.yml");
  writeFileSync(
    inventory,
    `all:\n  hosts:\n    ${host.name}:\n      ansible_host: 127.0.0.1\n      ansible_port: ${host.sshPort}\n      ansible_ssh_private_key_file: ${lab().keyPath}\n      bosun_known_hosts: ${lab().knownHostsPath}\n`,
  );
  const first = run(inventory); // logs in, changes the host: nothing is kept
  expect(first.code).toBe(0);
  expect(changed(first.out)).toBe(2);
  const second = run(inventory); // logs in, changes nothing: its connection is kept
  expect(changed(second.out)).toBe(0);
  const third = run(inventory); // on the kept connection: its checks are named for the next start
  expect(third.out).toContain("connection: kept by an earlier run");
  expect(atStart(third.out)).toBe(0);
  const fourth = run(inventory); // its start sent the checks
  expect(fourth.code).toBe(0);
  expect(changed(fourth.out)).toBe(0);
  expect(atStart(fourth.out)).toBe(2);

  await sshExec(host, "printf 'port=9090\\n' > /srv/ahead/app.conf");
  const fifth = run(inventory); // its start's answers show the file as changed on the host
  expect(fifth.code).toBe(0);
  expect(atStart(fifth.out)).toBeGreaterThan(0);
  expect(changed(fifth.out)).toBe(1);
  expect((await sshExec(host, "cat /srv/ahead/app.conf")).stdout).toBe("port=8080\n");
});
