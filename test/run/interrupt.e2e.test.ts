/** Ctrl-C in the middle of a run, on a real lab host: the running task completes, nothing new starts. */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { useLab, sshExec } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-interrupt", count: 1 });

test("SIGINT mid-run: the in-flight task completes, the recap says interrupted, exit 130, no temp files", async () => {
  const host = lab().hosts[0];
  if (!host) throw new Error("no lab host");
  await sshExec(host, "rm -rf /srv/int");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-int-"));
  const inventory = path.join(dir, "inv.yml");
  writeFileSync(
    inventory,
    `all:\n  hosts:\n    ${host.name}:\n      ansible_host: 127.0.0.1\n      ansible_port: ${host.sshPort}\n      ansible_ssh_private_key_file: ${lab().keyPath}\n      bosun_known_hosts: ${lab().knownHostsPath}\n`,
  );
  const child = spawn("node_modules/.bin/tsx", ["test/fixtures/playbooks/interrupt.ts", "-i", inventory], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  // Wait until the slow task is running on the host, then interrupt.
  for (let i = 0; i < 200; i++) {
    const r = await sshExec(host, "pgrep -x sleep >/dev/null && echo running", { allowFailure: true });
    if (r.stdout.includes("running")) break;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  child.kill("SIGINT");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code).toBe(130);
  expect(out).toMatch(/interrupted/i);
  const files = await sshExec(host, "ls -A /srv/int");
  expect(files.stdout.split("\n").filter(Boolean).sort()).toEqual(["before", "slow-done"]);
});
