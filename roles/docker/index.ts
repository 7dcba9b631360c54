/**
 * Role `docker`: the docker engine, compose v2, log rotation for every container, and users in
 * the docker group. One task (dockerEngine), so a converged host costs one command. Docker comes
 * from Docker's apt repository (or a mirror of it) or from the distribution, as `source` says
 * (default: the distribution's on Debian 13, Docker's elsewhere); an engine with compose v2 that
 * already works is left alone, whatever its source.
 */
import type { TaskResult } from "../../lib/core/task.js";
import { dockerEngine, type DockerEngineOutput } from "../../lib/tasks/docker/index.js";
import { defineRole } from "../../lib/run/role.js";

/** Inputs of {@link dockerRole}; every field has a default (see {@link DOCKER_ROLE_DEFAULTS}). */
export interface DockerRoleInput {
  /** `docker` (Docker's apt repository or a mirror) or `distro` (docker.io and the distribution's compose v2); default by distribution. */
  readonly source?: "docker" | "distro";
  /** Docker's repository or a mirror of it (source `docker`), e.g. `https://mirror.example.com/docker-ce/linux/debian`. */
  readonly repoUrl?: string;
  /** The repository's signing key: a URL or the ASCII-armoured key (default `<repoUrl>/gpg`). */
  readonly repoKey?: string;
  /** Users added to the docker group, e.g. the deploy user. */
  readonly users?: readonly string[];
  /** Offline option: URL of a compose v2 plugin .deb to use with the distribution's engine instead of a compose package. */
  readonly composePluginDeb?: string;
  /** Largest size of one container log file before it is rotated (json-file `max-size`). */
  readonly logMaxSize?: string;
  /** How many rotated log files docker keeps per container (json-file `max-file`). */
  readonly logMaxFiles?: number;
  /** More daemon.json settings (e.g. `insecure-registries`), merged over the log settings. */
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  /** Tags given to the role's tasks (for `--tags`). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link DockerRoleInput}. */
export const DOCKER_ROLE_DEFAULTS = {
  users: [] as readonly string[],
  logMaxSize: "10m",
  logMaxFiles: 3,
  tags: ["docker"] as readonly string[],
} as const;

/** What {@link dockerRole} did. */
export interface DockerRoleResult {
  /** The engine task's result (changed, restarted, compose version). */
  readonly engine: TaskResult<DockerEngineOutput>;
}

/** The daemon.json the role writes: json-file logs with rotation, then `input.daemonJson`. */
export function dockerRoleDaemonJson(input: DockerRoleInput = {}): Record<string, unknown> {
  return {
    "log-driver": "json-file",
    "log-opts": {
      "max-size": input.logMaxSize ?? DOCKER_ROLE_DEFAULTS.logMaxSize,
      "max-file": String(input.logMaxFiles ?? DOCKER_ROLE_DEFAULTS.logMaxFiles),
    },
    ...input.daemonJson,
  };
}

/**
 * Install docker with compose v2 and log rotation, and let `users` run it.
 * @example await dockerRole(host, { users: ["deploy"], source: "docker", repoUrl: "https://mirror.example.com/docker-ce/linux/debian" })
 */
export const dockerRole = defineRole<DockerRoleInput, DockerRoleResult, typeof DOCKER_ROLE_DEFAULTS>({
  name: "docker",
  description: "Docker engine and compose v2 from the source the user chooses, daemon.json, the deploy user in the docker group.",
  defaults: DOCKER_ROLE_DEFAULTS,
  async apply(host, input) {
    const engine = await host.run(
      dockerEngine({
        ...(input.source !== undefined ? { source: input.source } : {}),
        // Docker's repository settings mean nothing to the distribution's packages (e.g. set for a group, distro for one host).
        ...(input.repoUrl !== undefined && input.source !== "distro" ? { repoUrl: input.repoUrl } : {}),
        ...(input.repoKey !== undefined && input.source !== "distro" ? { repoKey: input.repoKey } : {}),
        users: input.users ?? DOCKER_ROLE_DEFAULTS.users,
        ...(input.composePluginDeb !== undefined ? { composePluginDeb: input.composePluginDeb } : {}),
        daemonJson: dockerRoleDaemonJson(input),
        tags: input.tags ?? DOCKER_ROLE_DEFAULTS.tags,
        title: "docker engine, compose v2, log rotation",
      }),
    );
    return { engine };
  },
});
