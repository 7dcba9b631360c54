import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { SshSpec } from "../../lib/core/connection.js";
import { InventoryError } from "../../lib/core/errors.js";
import { becomeFromVars, connectionFromVars } from "../../lib/inventory/connection-spec.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import type { Vars } from "../../lib/inventory/types.js";
import { thrown } from "./fixtures.js";

const baseDir = "/srv/inventory";
const ssh = (vars: Vars, name = "web1"): SshSpec => {
  const spec = connectionFromVars(name, vars, { baseDir });
  if (spec.kind !== "ssh") throw new Error(`expected ssh, got ${spec.kind}`);
  return spec;
};

describe("connectionFromVars()", () => {
  test("connectionFromVars() uses ssh to the host name, port 22, the local user, strict keys, 10 s, 2 retries by default", () => {
    expect(connectionFromVars("web1", {})).toEqual({
      kind: "ssh",
      host: "web1",
      port: 22,
      user: userInfo().username,
      hostKeyPolicy: "strict",
      connectTimeoutMs: 10000,
      connectRetries: 2,
    });
  });

  test.each<[string, Vars, Partial<SshSpec>]>([
    ["ansible_host", { ansible_host: "203.0.113.9" }, { host: "203.0.113.9" }],
    ["ansible_ssh_host (old name)", { ansible_ssh_host: "203.0.113.9" }, { host: "203.0.113.9" }],
    ["ansible_port", { ansible_port: 2222 }, { port: 2222 }],
    ["ansible_port as a string", { ansible_port: "2222" }, { port: 2222 }],
    ["ansible_user", { ansible_user: "deploy" }, { user: "deploy" }],
    [
      "ansible_ssh_private_key_file, relative to the inventory",
      { ansible_ssh_private_key_file: "keys/id_ed25519" },
      { privateKeyPath: "/srv/inventory/keys/id_ed25519" },
    ],
    ["ansible_ssh_private_key_file with ~", { ansible_ssh_private_key_file: "~/.ssh/id" }, { privateKeyPath: join(homedir(), ".ssh/id") }],
    ["ansible_password", { ansible_password: "pw-123" }, { password: "pw-123" }],
    ["ansible_ssh_pass", { ansible_ssh_pass: "pw-456" }, { password: "pw-456" }],
    ["ansible_host_key_checking: false", { ansible_host_key_checking: false }, { hostKeyPolicy: "off" }],
    ["bosun_known_hosts, relative", { bosun_known_hosts: "known_hosts" }, { knownHostsPath: "/srv/inventory/known_hosts" }],
    ["bosun_host_key_checking", { bosun_host_key_checking: "accept-new" }, { hostKeyPolicy: "accept-new" }],
    ["bosun_connect_timeout in seconds", { bosun_connect_timeout: 2.5 }, { connectTimeoutMs: 2500 }],
    ["bosun_connect_retries", { bosun_connect_retries: 0 }, { connectRetries: 0 }],
    ["bosun_ssh_key_passphrase", { bosun_ssh_key_passphrase: "phrase" }, { passphrase: "phrase" }],
    ["bosun_ssh_persist", { bosun_ssh_persist: 300 }, { persistSeconds: 300 }],
    ["bosun_ssh_persist: 0 (off)", { bosun_ssh_persist: "0" }, { persistSeconds: 0 }],
    [
      "bosun_ssh_persist before ControlPersist",
      { bosun_ssh_persist: 5, ansible_ssh_common_args: "-o ControlPersist=10m" },
      { persistSeconds: 5 },
    ],
  ])("connectionFromVars() honours %s", (_name, vars, expected) => {
    expect(ssh(vars)).toMatchObject(expected);
  });

  test.each<[string, string, Partial<SshSpec>]>([
    ["StrictHostKeyChecking=no", "-o StrictHostKeyChecking=no", { hostKeyPolicy: "off" }],
    ["StrictHostKeyChecking=accept-new", "-o StrictHostKeyChecking=accept-new", { hostKeyPolicy: "accept-new" }],
    ["StrictHostKeyChecking=yes", "-o StrictHostKeyChecking=yes", { hostKeyPolicy: "strict" }],
    ["UserKnownHostsFile", "-o UserKnownHostsFile=hosts/known", { knownHostsPath: "/srv/inventory/hosts/known" }],
    ["ConnectTimeout", "-o ConnectTimeout=3", { connectTimeoutMs: 3000 }],
    ["-p", "-p 2200", { port: 2200 }],
    ["ControlPersist", "-o ControlMaster=auto -o ControlPersist=10m", { persistSeconds: 600 }],
  ])("connectionFromVars() reads %s from ansible_ssh_common_args", (_name, args, expected) => {
    expect(ssh({ ansible_ssh_common_args: args })).toMatchObject(expected);
  });

  test("connectionFromVars() builds a jump host from ProxyJump that inherits key, policy and user but not the password", () => {
    const spec = ssh({
      ansible_user: "deploy",
      ansible_password: "target-only",
      ansible_ssh_private_key_file: "/keys/id",
      ansible_ssh_common_args: "-o ProxyJump=bastion.example.org:2201 -o StrictHostKeyChecking=accept-new",
    });
    expect(spec.jump).toEqual({
      kind: "ssh",
      host: "bastion.example.org",
      port: 2201,
      user: "deploy",
      privateKeyPath: "/keys/id",
      hostKeyPolicy: "accept-new",
      connectTimeoutMs: 10000,
      connectRetries: 2,
    });
  });

  test("connectionFromVars() chains -J hops so that the first one is the outermost", () => {
    const spec = ssh({ ansible_ssh_extra_args: "-J ops@outer:2022,inner" });
    expect(spec.jump).toMatchObject({ host: "inner", port: 22, user: "root", jump: { host: "outer", port: 2022, user: "ops" } });
  });

  test("connectionFromVars() prefers bosun_jump_host to the ssh arguments", () => {
    const spec = ssh({ bosun_jump_host: "jump@[2001:db8::1]:2022", ansible_ssh_common_args: "-J other" });
    expect(spec.jump).toMatchObject({ host: "2001:db8::1", port: 2022, user: "jump" });
  });

  test("connectionFromVars() lets Ansible's and bosun's variables win over the ssh arguments", () => {
    const spec = ssh({
      ansible_port: 2222,
      bosun_host_key_checking: "strict",
      bosun_connect_timeout: 1,
      ansible_ssh_common_args: "-p 2200 -o StrictHostKeyChecking=no -o ConnectTimeout=30",
    });
    expect(spec).toMatchObject({ port: 2222, hostKeyPolicy: "strict", connectTimeoutMs: 1000 });
  });

  test("connectionFromVars() lets common args win over extra args, as the first ssh option wins", () => {
    const spec = ssh({
      ansible_ssh_common_args: "-o StrictHostKeyChecking=no",
      ansible_ssh_extra_args: "-o StrictHostKeyChecking=yes -p 2300",
    });
    expect(spec).toMatchObject({ hostKeyPolicy: "off", port: 2300 });
  });

  // controller-tools: none -- a test name, nothing runs
  test("connectionFromVars() runs locally for ansible_connection: local", () => {
    expect(connectionFromVars("web1", { ansible_connection: "local" })).toEqual({ kind: "local" });
  });

  test("connectionFromVars() runs localhost locally only when it has no address, port or connection set", () => {
    expect(connectionFromVars("localhost", {})).toEqual({ kind: "local" });
    expect(connectionFromVars("localhost", { ansible_port: 2222 }).kind).toBe("ssh");
    expect(connectionFromVars("localhost", { ansible_host: "127.0.0.1" }).kind).toBe("ssh");
    expect(connectionFromVars("localhost", { ansible_connection: "ssh" }).kind).toBe("ssh");
  });

  test("connectionFromVars() reports a bad jump host in the ssh arguments with the host name", () => {
    const error = thrown(() => connectionFromVars("web1", { ansible_ssh_common_args: "-J 'a b'" }));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe('Cannot build the connection of host "web1": Cannot read jump host "a b": expected [user@]host[:port]');
  });
});

describe("becomeFromVars()", () => {
  test.each<[Vars, object]>([
    [{}, { enabled: false }],
    [{ ansible_become: true }, { enabled: true }],
    [{ ansible_become: "yes" }, { enabled: true }],
    [{ ansible_become: "False" }, { enabled: false }],
    [
      { ansible_become: true, ansible_become_password: "sudo-pw" },
      { enabled: true, password: "sudo-pw" },
    ],
    [{ ansible_become_pass: "old-name" }, { enabled: false, password: "old-name" }],
  ])("becomeFromVars(%j) is %j", (vars, expected) => {
    expect(becomeFromVars("web1", vars)).toEqual(expected);
  });
});

describe("inventory connections", () => {
  test("parseInventory() resolves relative key paths against the inventory file's directory", () => {
    const inventory = parseInventory(
      "all:\n  hosts:\n    web1:\n      ansible_ssh_private_key_file: keys/id\n",
      "/srv/site/inventory/prod.yml",
    );
    expect(inventory.hosts.get("web1")?.connection).toMatchObject({ privateKeyPath: "/srv/site/inventory/keys/id" });
  });

  test("parseInventory() turns YAML 1.1 booleans into become settings like Ansible", () => {
    const inventory = parseInventory("all:\n  vars:\n    ansible_become: yes\n  hosts:\n    web1:\n", "inventory/x.yml");
    expect(inventory.hosts.get("web1")?.become).toEqual({ enabled: true });
  });

  test("a connection plugin bosun does not have loads, and fails only when that host's connection is read, naming the host", () => {
    const inventory = parseInventory(
      "all:\n  hosts:\n    web1:\n    sw1:\n      ansible_connection: ansible.netcommon.network_cli\n",
      "inventory/x.yml",
    );
    expect(inventory.hosts.get("web1")!.connection.kind).toBe("ssh");
    const error = thrown(() => inventory.hosts.get("sw1")!.connection);
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(
      /^Cannot build the connection of host "sw1": ansible_connection is "ansible\.netcommon\.network_cli", a connection plugin bosun does not have/,
    );
  });

  test("becoming another user than root fails for that host when become is on, not at load", () => {
    const inventory = parseInventory(
      "all:\n  hosts:\n    db1:\n      ansible_become: true\n    web1:\n  vars:\n    ansible_become_user: postgres\n",
      "inventory/x.yml",
    );
    expect(inventory.hosts.get("web1")!.become.enabled).toBe(false);
    expect(thrown(() => inventory.hosts.get("db1")!.become).message).toBe(
      'Cannot read the become settings of host "db1": ansible_become_user is "postgres"; bosun becomes root only',
    );
  });
});
