/**
 * Role `gitlab-runner` on a `docker` lab host over real SSH: the docker role, gitlab-runner from a
 * local stand-in for packages.gitlab.com (a signed apt repository with a fake gitlab-runner .deb on
 * the host itself), and the runner registered once with the token from the environment.
 */
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { gitlabRunnerRole, type GitlabRunnerRoleInput } from "../../roles/gitlab-runner/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { labTarget, TaskRunner } from "../e2e/task-harness.js";
import { buildGitlabRunnerRepoScript, FAKE_RUNNER_LOG } from "../support/stand-ins/gitlab-runner-repo.js";

const lab = useLab({ name: "t-role-runner", variant: "docker" });
const TOKEN = "glrt-role-e2e-Hk2Jq9Wz4Xv6";
let runner: TaskRunner;
let services: LabServices;
let input: GitlabRunnerRoleInput;

const sh = (command: string, stdin?: string): string => {
  const r = runner.sh(command, stdin);
  return `${r.stdout}${r.stderr}`;
};
const state = () =>
  sh("cat /etc/docker/daemon.json; dpkg-query -W -f='${Status} ${Version}\\n' gitlab-runner; cat /etc/gitlab-runner/config.toml");

beforeAll(async () => {
  services = await servicesUp();
  const info = lab();
  const host = info.hosts[0]!;
  runner = new TaskRunner(labTarget(info));
  const built = runner.sh("sh", buildGitlabRunnerRepoScript());
  if (built.code !== 0) throw new Error(`stand-in repository: ${built.stderr}`);
  process.env.GITLAB_RUNNER_TOKEN = TOKEN;
  input = {
    url: "https://gitlab.example.com",
    name: "vds1",
    concurrency: 3,
    docker: { composePluginDeb: services.composePlugin.url },
    install: { keyUrl: `http://127.0.0.1:${host.httpPort}/gpgkey`, repoUrl: "http://127.0.0.1/debian" },
  };
}, 300_000);
afterAll(async () => {
  delete process.env.GITLAB_RUNNER_TOKEN;
  await runner?.close();
});

describe("role gitlab-runner", () => {
  test("gitlabRunnerRole() converges a builder host: --check changes nothing, the first run does, the second changes nothing", async () => {
    const before = state();
    const checked = await gitlabRunnerRole({ run: (call) => runner.run(call, { check: true }) }, input);
    expect([checked.docker?.engine.status, checked.install.status, checked.register.status]).toEqual(["changed", "changed", "changed"]);
    expect(state()).toBe(before);

    const first = await gitlabRunnerRole({ run: (call) => runner.run(call) }, input);
    for (const r of [first.docker!.engine, first.install, first.register]) expect(r.failed ? r.message : r.status).toBe("changed");
    const config = sh("cat /etc/gitlab-runner/config.toml");
    expect(config).toMatch(/^concurrent = 3\n/);
    expect(config).toContain('  name = "vds1"\n  url = "https://gitlab.example.com"\n');
    expect(config).toContain('    image = "docker:27"\n    privileged = true\n');
    expect(config).toContain('volumes = ["/cache", "/certs/client"]');
    expect(sh("docker info --format '{{.LoggingDriver}}'; gitlab-runner --version")).toBe("json-file\nVersion:      17.5.0-1 (stand-in)\n");
    const after = state();

    const second = await gitlabRunnerRole({ run: (call) => runner.run(call) }, input);
    for (const r of [second.docker!.engine, second.install, second.register]) expect(r).toMatchObject({ status: "ok", commands: 1 });
    expect(state()).toBe(after);
    expect(sh(`grep -c '^\\[\\[runners\\]\\]' /etc/gitlab-runner/config.toml`)).toBe("1\n");
  });

  test("gitlabRunnerRole() never lets the token from the environment reach argv, commands or results", () => {
    expect(runner.rawCommands.join("\n")).not.toContain(TOKEN);
    expect(JSON.stringify(runner.commands)).not.toContain(TOKEN);
    expect(sh(`cat ${FAKE_RUNNER_LOG}`)).not.toContain(TOKEN);
    expect(sh("grep -c 'token = \"" + TOKEN + "\"' /etc/gitlab-runner/config.toml")).toBe("1\n");
  });
});
