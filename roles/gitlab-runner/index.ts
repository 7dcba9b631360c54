/**
 * Role `gitlab-runner`: a CI builder host. Docker (through the docker role), gitlab-runner from
 * GitLab's apt repository, and one runner registered with the docker executor (image, privileged
 * for docker-in-docker, tags, concurrency). The token comes from the environment as a secret and
 * never appears in output. A converged host costs one command per task.
 */
import { BosunError } from "../../lib/core/errors.js";
import { secret, type Secret } from "../../lib/core/secrets.js";
import type { TaskResult } from "../../lib/core/task.js";
import {
  gitlabRunner,
  gitlabRunnerRegister,
  type GitlabRunnerOutput,
  type GitlabRunnerParams,
  type GitlabRunnerRegisterOutput,
} from "../../lib/tasks/ci/index.js";
import { dockerRole, type DockerRoleInput, type DockerRoleResult } from "../docker/index.js";
import { defineRole } from "../../lib/run/role.js";

/** Inputs of {@link gitlabRunnerRole}; every field but `url` has a default ({@link GITLAB_RUNNER_ROLE_DEFAULTS}). */
export interface GitlabRunnerRoleInput {
  /** The GitLab instance, e.g. `https://gitlab.example.com`. */
  readonly url: string;
  /** The runner token; default: read from the environment variable `tokenEnv`. */
  readonly token?: Secret;
  /** Environment variable holding the token ("GITLAB_RUNNER_TOKEN"). */
  readonly tokenEnv?: string;
  /** Runner name (the inventory host name). */
  readonly name?: string;
  /** Default job image ("docker:27"). */
  readonly image?: string;
  /** Privileged job containers, for docker-in-docker (true). */
  readonly privileged?: boolean;
  /** Job container volumes (["/certs/client"] when privileged, for dind with TLS; else []). */
  readonly volumes?: readonly string[];
  /** Runner tags such as the host name (registration tokens only; runner tokens carry them in GitLab). */
  readonly runnerTags?: readonly string[];
  /** Pick untagged jobs (registration tokens only). */
  readonly runUntagged?: boolean;
  /** Jobs at once (1). */
  readonly concurrency?: number;
  /** The docker role's inputs, or false when docker is managed elsewhere ({}). */
  readonly docker?: DockerRoleInput | false;
  /** How gitlab-runner is installed (version pin, key, repository). */
  readonly install?: GitlabRunnerParams;
  /** Tags given to the role's tasks, for `--tags` (["gitlab-runner"]). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link GitlabRunnerRoleInput}. */
export const GITLAB_RUNNER_ROLE_DEFAULTS = {
  tokenEnv: "GITLAB_RUNNER_TOKEN",
  image: "docker:27",
  privileged: true,
  concurrency: 1,
  tags: ["gitlab-runner"] as readonly string[],
} as const;

/** What {@link gitlabRunnerRole} did. */
export interface GitlabRunnerRoleResult {
  /** The docker role's result (absent with `docker: false`). */
  readonly docker?: DockerRoleResult;
  /** The package install. */
  readonly install: TaskResult<GitlabRunnerOutput>;
  /** The registration. */
  readonly register: TaskResult<GitlabRunnerRegisterOutput>;
}

/** The runner token: given, or read from the environment (registered as a secret). */
export function runnerToken(input: Pick<GitlabRunnerRoleInput, "token" | "tokenEnv">, env: NodeJS.ProcessEnv = process.env): Secret {
  if (input.token) return input.token;
  const name = input.tokenEnv ?? GITLAB_RUNNER_ROLE_DEFAULTS.tokenEnv;
  const value = env[name];
  if (!value) {
    throw new BosunError(`Cannot register the GitLab runner: the environment variable ${name} is not set`, {
      hint: `export ${name}=<runner token from GitLab: Settings > CI/CD > Runners> before running the playbook`,
    });
  }
  return secret(value);
}

/**
 * Set up a GitLab runner host: docker, gitlab-runner, and the runner registered once.
 * @example await gitlabRunnerRole(host, { url: "https://gitlab.example.com", runnerTags: ["vds1"], concurrency: 4 })
 */
export const gitlabRunnerRole = defineRole<GitlabRunnerRoleInput, GitlabRunnerRoleResult, typeof GITLAB_RUNNER_ROLE_DEFAULTS>({
  name: "gitlab-runner",
  description: "A GitLab runner host: docker, gitlab-runner from GitLab's apt repository, the runner registered once.",
  defaults: GITLAB_RUNNER_ROLE_DEFAULTS,
  async apply(host, input) {
    const token = runnerToken(input);
    const { tags, privileged } = input;
    const docker =
      input.docker === false
        ? undefined
        : await dockerRole(host, { ...input.docker, tags: [...(input.docker?.tags ?? ["docker"]), ...tags] });
    const install = await host.run(gitlabRunner({ ...input.install, tags, title: "gitlab-runner from GitLab's apt repository" }));
    const register = await host.run(
      gitlabRunnerRegister({
        url: input.url,
        token,
        image: input.image,
        privileged,
        volumes: input.volumes ?? (privileged ? ["/certs/client"] : []),
        concurrency: input.concurrency,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.runnerTags === undefined ? {} : { tagList: input.runnerTags }),
        ...(input.runUntagged === undefined ? {} : { runUntagged: input.runUntagged }),
        tags,
      }),
    );
    return { ...(docker ? { docker } : {}), install, register };
  },
});
