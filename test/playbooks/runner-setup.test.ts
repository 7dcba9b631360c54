import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BosunError } from "../../lib/core/errors.js";
import { loadInventory, parseInventory } from "../../lib/inventory/index.js";
import { bootstrapSettings } from "../../playbooks/bootstrap/settings.js";
import { mask, Secret } from "../../lib/core/secrets.js";
import { runnerSettings } from "../../playbooks/runner-setup/playbook.js";
import { runnerToken } from "../../roles/gitlab-runner/index.js";

const TOKEN = "glrt-unit-RunnerSetup-7Qw";

describe("runner-setup settings", () => {
  test("runnerSettings() maps the inventory's variables to the gitlab-runner role, the token as a Secret", () => {
    const input = runnerSettings(
      {
        gitlab_url: "https://gitlab.example.com",
        gitlab_runner_token: TOKEN,
        gitlab_runner_tags: ["vds1", "docker"],
        gitlab_runner_concurrency: 4,
        gitlab_runner_image: "docker:27",
        gitlab_runner_privileged: true,
        gitlab_runner_repo_url: "http://127.0.0.1/debian",
        deploy_user: "deploy",
        docker_compose_plugin_deb: "http://files.lab.test/docker-compose-plugin.deb",
      },
      "vds1",
    );
    expect(input).toMatchObject({
      url: "https://gitlab.example.com",
      name: "vds1",
      runnerTags: ["vds1", "docker"],
      concurrency: 4,
      image: "docker:27",
      privileged: true,
      install: { repoUrl: "http://127.0.0.1/debian" },
      docker: { users: ["deploy"], composePluginDeb: "http://files.lab.test/docker-compose-plugin.deb" },
    });
    expect(input.token).toBeInstanceOf(Secret);
    expect(input.token!.reveal()).toBe(TOKEN);
    expect(JSON.stringify(input)).not.toContain(TOKEN);
    expect(mask(`token ${TOKEN}`)).toBe("token ***");
  });

  test("runnerSettings() leaves the role's defaults alone when variables are absent", () => {
    const input = runnerSettings({ gitlab_url: "https://gitlab.example.com", gitlab_runner_token: TOKEN }, "vds1");
    expect(Object.keys(input).sort()).toEqual(["docker", "name", "token", "url"]);
    expect(input.docker).toEqual({ users: [] });
  });

  test("runnerSettings() without gitlab_runner_token leaves the token to the role, which reads GITLAB_RUNNER_TOKEN when it registers", () => {
    expect(runnerSettings({ gitlab_url: "https://gitlab.example.com" }, "vds1")).not.toHaveProperty("token");
  });

  test("runnerSettings() refuses bad variables, naming them", () => {
    const problem = (vars: Record<string, unknown>) => {
      try {
        runnerSettings(vars, "vds1");
        return "no error";
      } catch (error) {
        return (error as BosunError).describe();
      }
    };
    expect(problem({ gitlab_runner_token: TOKEN })).toContain('missing required variable "gitlab_url"');
    expect(problem({ gitlab_url: "gitlab.example.com", gitlab_runner_token: TOKEN })).toContain('variable "gitlab_url"');
    expect(problem({ gitlab_url: "https://gitlab.example.com", gitlab_runner_token: TOKEN, gitlab_runner_concurrency: 0 })).toContain(
      'variable "gitlab_runner_concurrency"',
    );
  });
});

describe("inventory/vds1.yml", () => {
  test("loads with GITLAB_RUNNER_TOKEN set and gives bootstrap and runner-setup valid settings", async () => {
    // The file as committed, with ~ pointing at a made-up home (this machine's may have no key).
    const home = mkdtempSync(path.join(tmpdir(), "bosun-vds1-home-"));
    try {
      writeFileSync(
        path.join(home, "id_ed25519.pub"),
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPANFQzeXunkEKtWbk7mgGO5nN8ZqmK89Q7hdQR+7xU4 ops@laptop\n",
      );
      const text = readFileSync("inventory/vds1.yml", "utf8");
      expect(text.match(/~\/\.ssh\//g)).toHaveLength(2);
      writeFileSync(path.join(home, "vds1.yml"), text.replaceAll("~/.ssh/", `${home}/`));
      const inventory = await loadInventory(path.join(home, "vds1.yml"), { env: { GITLAB_RUNNER_TOKEN: TOKEN } });
      const vds1 = inventory.hosts.get("vds1")!;
      expect(vds1.connection).toMatchObject({ host: "203.0.113.20", user: "deploy", privateKeyPath: path.join(home, "id_ed25519") });
      expect(vds1.become.enabled).toBe(true);
      expect(bootstrapSettings(vds1.vars, "vds1")).toMatchObject({
        deployUser: "deploy",
        deployGroups: ["adm"],
        authorizedKeys: [expect.stringMatching(/^ssh-ed25519 /)],
      });
      const runner = runnerSettings(vds1.vars, "vds1");
      expect(runner).toMatchObject({ url: "https://gitlab.com", name: "vds1", image: "docker:27", privileged: true, concurrency: 4 });
      expect(runner.token!.reveal()).toBe(TOKEN);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test("without GITLAB_RUNNER_TOKEN the inventory loads and the role reads it only when it registers", () => {
    const vars = parseInventory(readFileSync("inventory/vds1.yml", "utf8").replace(/!file \S+/g, '"ssh-ed25519 AAAA k"'), "vds1.yml", {
      env: {},
    }).hosts.get("vds1")!.vars;
    const runner = runnerSettings(vars, "vds1");
    expect(runner.token).toBeUndefined();
    expect(runner.tokenEnv).toBe("GITLAB_RUNNER_TOKEN");
    expect(() => runnerToken(runner, {})).toThrow(/GITLAB_RUNNER_TOKEN is not set/);
  });
});
