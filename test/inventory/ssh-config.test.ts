import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SshSpec } from "../../lib/core/connection.js";
import { connectionFromVars } from "../../lib/inventory/connection-spec.js";
import { forgetSshConfigs, sshConfigFor } from "../../lib/inventory/ssh-config.js";
import type { Vars } from "../../lib/inventory/types.js";

const dir = mkdtempSync(path.join(tmpdir(), "bosun-ssh-config-"));
const key = path.join(dir, "id_app");
writeFileSync(key, "not read by these tests\n");
const configFile = path.join(dir, "config");
writeFileSync(
  configFile,
  `Host app-*
  HostName 10.1.0.%h
  User ops
  Port 2200
  IdentityFile ${path.join(dir, "missing_key")}
  IdentityFile ${key}
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ${path.join(dir, "known_hosts")}

Host app-inner
  ProxyJump jump@bastion.example:2022

Host legacy
  ProxyCommand ssh -W %h:%p gateway

Host *
  User fallback
`,
);

const ssh = (name: string, vars: Vars = {}): SshSpec => {
  const spec = connectionFromVars(name, vars, { baseDir: dir });
  if (spec.kind !== "ssh") throw new Error("expected ssh");
  return spec;
};

beforeAll(() => {
  process.env.BOSUN_SSH_CONFIG = configFile;
  forgetSshConfigs();
});
afterAll(() => {
  delete process.env.BOSUN_SSH_CONFIG;
  forgetSshConfigs();
});

describe("ssh config", () => {
  test("sshConfigFor() takes the first value obtained, as ssh does, and keeps every IdentityFile in order", () => {
    const c = sshConfigFor("app-inner");
    expect(c).toMatchObject({ user: "ops", port: 2200, proxyJump: "jump@bastion.example:2022", strictHostKeyChecking: "accept-new" });
    expect(c.identityFiles).toEqual([path.join(dir, "missing_key"), key]);
  });

  test("connectionFromVars() reads HostName, User, Port, the first existing IdentityFile, known_hosts and policy from the config", () => {
    expect(ssh("app-inner")).toMatchObject({
      host: "10.1.0.app-inner",
      user: "ops",
      port: 2200,
      privateKeyPath: key,
      knownHostsPath: path.join(dir, "known_hosts"),
      hostKeyPolicy: "accept-new",
      jump: { host: "bastion.example", port: 2022, user: "jump" },
    });
  });

  test("inventory variables stand above the config", () => {
    expect(ssh("app-inner", { ansible_user: "deploy", ansible_port: 22, ansible_ssh_private_key_file: "/k" })).toMatchObject({
      user: "deploy",
      port: 22,
      privateKeyPath: "/k",
    });
  });

  test("the config is looked up by ansible_host when it is set, as ssh is given that name", () => {
    expect(ssh("web1", { ansible_host: "legacy" })).toMatchObject({
      host: "legacy",
      user: "fallback",
      proxyCommand: "ssh -W %h:%p gateway",
    });
  });

  test("a ProxyCommand in ansible_ssh_common_args is kept, not dropped", () => {
    expect(ssh("web1", { ansible_host: "10.0.0.5", ansible_ssh_common_args: "-o ProxyCommand='ssh -W %h:%p bastion'" })).toMatchObject({
      host: "10.0.0.5",
      proxyCommand: "ssh -W %h:%p bastion",
    });
  });

  test("an ssh option bosun cannot honour is an error naming the host and the option", () => {
    expect(() => ssh("web1", { ansible_ssh_common_args: "-o ForwardAgent=yes" })).toThrow(
      /host "web1".*ansible_ssh_common_args: bosun cannot honour the ssh option -o ForwardAgent=yes/,
    );
  });
});
