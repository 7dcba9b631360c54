import { BosunError } from "../../lib/core/errors.js";
import { bootstrapMode } from "../../playbooks/bootstrap/playbook.js";
import { bootstrapSettings, splitKeys } from "../../playbooks/bootstrap/settings.js";
import { site } from "../../playbooks/site/playbook.js";
import { fakeHost } from "../support/host.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPANFQzeXunkEKtWbk7mgGO5nN8ZqmK89Q7hdQR+7xU4 ops@laptop";

function problem(vars: Record<string, unknown>): string {
  try {
    bootstrapSettings(vars, "cfa2");
  } catch (error) {
    return (error as BosunError).describe();
  }
  return "no error";
}

describe("bootstrap settings", () => {
  test("bootstrapSettings() fills in the defaults around the one required variable", () => {
    expect(bootstrapSettings({ deploy_authorized_keys: KEY })).toEqual({
      deployUser: "deploy",
      authorizedKeys: [KEY],
      deployGroups: [],
      timezone: "Etc/UTC",
      extraPackages: [],
      sshPort: 22,
      firewallPorts: [],
      firewallDockerFilter: true,
    });
  });

  test("bootstrapSettings() reads every variable", () => {
    const s = bootstrapSettings({
      deploy_user: "ops",
      deploy_authorized_keys: [KEY, "ssh-ed25519 BBBB other"],
      deploy_user_groups: ["adm"],
      timezone: "Europe/Berlin",
      base_packages: ["htop"],
      ssh_port: 2222,
      firewall_allow_ports: [8443, "6000:6007", { port: 5432, proto: "tcp", from: "10.0.0.0/8", comment: "postgres" }],
      docker_source: "docker",
      docker_repo_url: "https://mirror.example.com/docker-ce/linux/debian",
      docker_repo_key: "https://mirror.example.com/docker-ce/linux/debian/gpg",
      firewall_docker_filter: false,
      app_bundle_exclude: ["docs"],
      docker_daemon_json: { "insecure-registries": ["registry.lab.test:5000"] },
      app_dir: "/srv/cfa/",
      app_bundle_source: "examples/cfa-bundle",
      app_env: { db_password: "x" },
    });
    expect(s).toMatchObject({
      deployUser: "ops",
      authorizedKeys: [KEY, "ssh-ed25519 BBBB other"],
      sshPort: 2222,
      firewallPorts: [8443, "6000:6007", { port: 5432, proto: "tcp", from: "10.0.0.0/8", comment: "postgres" }],
      appDir: "/srv/cfa",
      appBundle: "examples/cfa-bundle",
      appEnv: { db_password: "x" },
      firewallDockerFilter: false,
      appBundleExclude: ["docs"],
      dockerSource: "docker",
      dockerRepoUrl: "https://mirror.example.com/docker-ce/linux/debian",
      dockerRepoKey: "https://mirror.example.com/docker-ce/linux/debian/gpg",
    });
  });

  test("bootstrapSettings() keeps docker_compose_plugin_deb as the offline option, and refuses an unknown docker_source", () => {
    const offline = bootstrapSettings({ deploy_authorized_keys: KEY, docker_compose_plugin_deb: "http://files.example.org/compose.deb" });
    expect(offline.composePluginDeb).toBe("http://files.example.org/compose.deb");
    expect(() => bootstrapSettings({ deploy_authorized_keys: KEY, docker_source: "snap" })).toThrow(/docker_source/);
  });

  test("splitKeys() takes an authorized_keys file read with !file: one key per line, comments and blanks skipped", () => {
    expect(splitKeys(`# laptop\n${KEY}\n\n  ssh-rsa AAAAB3 ci  \n`)).toEqual([KEY, "ssh-rsa AAAAB3 ci"]);
  });

  test("bootstrapSettings() refuses a host without deploy keys, naming the variable", () => {
    expect(problem({})).toContain('Cannot bootstrap: missing required variable "deploy_authorized_keys"');
    expect(problem({ deploy_authorized_keys: "# only a comment\n" })).toContain("deploy_authorized_keys holds no key");
  });

  test("bootstrapSettings() refuses bad variables before anything runs", () => {
    expect(problem({ deploy_authorized_keys: KEY, deploy_user: "Deploy User" })).toContain('variable "deploy_user"');
    expect(problem({ deploy_authorized_keys: KEY, ssh_port: 70000 })).toContain('variable "ssh_port"');
    expect(problem({ deploy_authorized_keys: KEY, firewall_allow_ports: [{ port: 80, proto: "icmp" }] })).toContain("firewall_allow_ports");
    expect(problem({ deploy_authorized_keys: KEY, app_dir: "srv/cfa" })).toContain('variable "app_dir"');
    expect(problem({ deploy_authorized_keys: KEY, app_bundle_source: "examples/cfa-bundle" })).toContain(
      "app_bundle_source is set but app_dir is not",
    );
  });

  test("bootstrapMode() is root as root, sudo as another user with become, and refuses another user without it", () => {
    expect(bootstrapMode(fakeHost({ user: "root" }).host)).toBe("root");
    expect(bootstrapMode(fakeHost({ user: "deploy", become: { enabled: true } }).host)).toBe("sudo");
    expect(() => bootstrapMode(fakeHost({ user: "deploy" }).host)).toThrow(
      /Cannot bootstrap as deploy: every step needs root, and ansible_become is not set/,
    );
  });
});

describe("playbook site", () => {
  test("site runs bootstrap, deploy and tls-renew in that order, with deploy's options", () => {
    expect(site.plays.map((p) => p.name)).toEqual(["bootstrap", "deploy", "tls-renew"]);
    expect(Object.keys(site.options)).toEqual(expect.arrayContaining(["tag", "rollback", "services"]));
  });
});
