/** Role `gitlab-runner`: inputs become the right task calls; the token comes from the environment. */
import { reveal, Secret, secret } from "../../lib/core/secrets.js";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import { gitlabRunnerRole, runnerToken } from "../../roles/gitlab-runner/index.js";

function recordingHost() {
  const calls: TaskCall[] = [];
  return {
    calls,
    host: {
      async run<P, O>(call: TaskCall<P, O>): Promise<TaskResult<O>> {
        calls.push(call as TaskCall);
        return {
          host: "h",
          task: call.definition.id,
          title: "",
          status: "ok",
          changed: false,
          failed: false,
          skipped: false,
          durationMs: 0,
          commands: 0,
          attempts: 1,
        };
      },
    },
  };
}

describe("role gitlab-runner", () => {
  test("gitlabRunnerRole() runs docker, the package and the registration with the role's defaults", async () => {
    const { host, calls } = recordingHost();
    await gitlabRunnerRole(host, { url: "https://gitlab.example.com", token: secret("glrt-unit-0000000001"), runnerTags: undefined });
    expect(calls.map((c) => c.definition.id)).toEqual(["docker.engine", "ci.gitlabRunner", "ci.gitlabRunnerRegister"]);
    const register = calls[2]!;
    expect(register.params).toMatchObject({
      url: "https://gitlab.example.com",
      image: "docker:27",
      privileged: true,
      volumes: ["/certs/client"],
      concurrency: 1,
    });
    expect(register.options.tags).toEqual(["gitlab-runner"]);
    expect(calls[0]!.options.tags).toEqual(["docker", "gitlab-runner"]);
  });

  test("gitlabRunnerRole() skips docker with docker: false and passes runner tags as --tag-list", async () => {
    const { host, calls } = recordingHost();
    await gitlabRunnerRole(host, {
      url: "https://g.example.com",
      token: secret("GR-legacy-unit-01"),
      docker: false,
      privileged: false,
      runnerTags: ["vds1"],
      runUntagged: false,
      concurrency: 4,
    });
    expect(calls.map((c) => c.definition.id)).toEqual(["ci.gitlabRunner", "ci.gitlabRunnerRegister"]);
    expect(calls[1]!.params).toMatchObject({ privileged: false, volumes: [], tagList: ["vds1"], runUntagged: false, concurrency: 4 });
  });

  test("runnerToken() reads the environment into a Secret and fails clearly when it is not set", () => {
    const token = runnerToken({}, { GITLAB_RUNNER_TOKEN: "glrt-from-env-123" });
    expect(token).toBeInstanceOf(Secret);
    expect(reveal(token)).toBe("glrt-from-env-123");
    expect(String(token)).toBe("***");
    expect(() => runnerToken({ tokenEnv: "VDS1_RUNNER_TOKEN" }, {})).toThrow(
      "Cannot register the GitLab runner: the environment variable VDS1_RUNNER_TOKEN is not set",
    );
  });
});
