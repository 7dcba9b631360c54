/**
 * Reaching a host only through a bastion, as OpenSSH users configure it: a ProxyJump given only in
 * ~/.ssh/config, and a ProxyCommand given only in ansible_ssh_common_args. The target's name
 * (`t-bastion2.lab.test`) resolves only inside the lab network, so the controller cannot reach it
 * directly: a connection that ignored the bastion would fail.
 */
import { lookup } from "node:dns/promises";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sh } from "../../lib/core/command.js";
import { loadInventory } from "../../lib/inventory/index.js";
import { forgetSshConfigs } from "../../lib/inventory/ssh-config.js";
import { openHost } from "../../lib/run/standalone.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-bastion", count: 2 });
const dir = mkdtempSync(path.join(tmpdir(), "bosun-bastion-"));
const TARGET = "t-bastion2.lab.test";
let knownHosts: string;

beforeAll(async () => {
  const [, inner] = lab().hosts;
  const key = (await sshExec(inner!, "cat /etc/ssh/ssh_host_ed25519_key.pub")).stdout.trim().split(" ").slice(0, 2).join(" ");
  knownHosts = path.join(dir, "known_hosts");
  writeFileSync(knownHosts, `${readFileSync(lab().knownHostsPath, "utf8")}${TARGET} ${key}\n`);
});
afterEach(() => {
  delete process.env.BOSUN_SSH_CONFIG;
  forgetSshConfigs();
});

async function hostnameThrough(inventoryText: string): Promise<string> {
  const file = path.join(dir, `inventory-${Date.now()}.yml`);
  writeFileSync(file, inventoryText);
  const inventory = await loadInventory(file);
  const host = await openHost(inventory.hosts.get("inner")!);
  try {
    return (await host.exec(sh`hostname`)).stdout.trim();
  } finally {
    await host.close();
  }
}

test("the target's lab name does not resolve on the controller (so only a bastion can reach it)", async () => {
  await expect(lookup(TARGET)).rejects.toThrow();
});

test("a ProxyJump given only in ~/.ssh/config reaches the host through the bastion", async () => {
  const [bastion] = lab().hosts;
  const config = path.join(dir, "ssh_config");
  writeFileSync(
    config,
    `Host ${TARGET}\n  ProxyJump root@127.0.0.1:${bastion!.sshPort}\n  User root\n  IdentityFile ${lab().keyPath}\n  UserKnownHostsFile ${knownHosts}\n`,
  );
  process.env.BOSUN_SSH_CONFIG = config; // stands for ~/.ssh/config, which CI's root may not have
  forgetSshConfigs();
  expect(await hostnameThrough(`all:\n  hosts:\n    inner:\n      ansible_host: ${TARGET}\n`)).toBe("t-bastion2");
});

test("a ProxyCommand given only in ansible_ssh_common_args reaches the host through the bastion", async () => {
  const [bastion] = lab().hosts;
  process.env.BOSUN_SSH_CONFIG = path.join(dir, "no-such-config");
  forgetSshConfigs();
  // controller-tools: ssh (the ProxyCommand runs the system ssh client as the hop)
  const proxy = `ssh -i ${lab().keyPath} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -p ${bastion!.sshPort} -W %h:%p root@127.0.0.1`;
  const inventory = [
    "all:",
    "  hosts:",
    "    inner:",
    `      ansible_host: ${TARGET}`,
    "      ansible_user: root",
    `      ansible_ssh_private_key_file: ${lab().keyPath}`,
    `      bosun_known_hosts: ${knownHosts}`,
    `      ansible_ssh_common_args: '-o ProxyCommand="${proxy}"'`,
    "",
  ].join("\n");
  expect(await hostnameThrough(inventory)).toBe("t-bastion2");
});
