import { BosunError } from "../../lib/core/errors.js";
import { mask, Secret } from "../../lib/core/secrets.js";
import { runnerSettings } from "../../playbooks/runner-setup.js";

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

  test("runnerSettings() refuses a missing token or URL, naming the variable", () => {
    const problem = (vars: Record<string, unknown>) => {
      try {
        runnerSettings(vars, "vds1");
        return "no error";
      } catch (error) {
        return (error as BosunError).describe();
      }
    };
    expect(problem({ gitlab_url: "https://gitlab.example.com" })).toContain('missing required variable "gitlab_runner_token"');
    expect(problem({ gitlab_runner_token: TOKEN })).toContain('missing required variable "gitlab_url"');
    expect(problem({ gitlab_url: "gitlab.example.com", gitlab_runner_token: TOKEN })).toContain('variable "gitlab_url"');
    expect(problem({ gitlab_url: "https://gitlab.example.com", gitlab_runner_token: TOKEN, gitlab_runner_concurrency: 0 })).toContain('variable "gitlab_runner_concurrency"');
  });
});
