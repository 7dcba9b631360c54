/**
 * Set up a CI builder host: docker engine (compose v2, log rotation) and a GitLab runner with the
 * docker executor, registered once (image, privileged for docker-in-docker, tags, concurrency).
 *
 *   export GITLAB_RUNNER_TOKEN=glrt-...          # or a legacy registration token
 *   tsx playbooks/runner-setup.ts --inventory vds1
 *
 * Run bootstrap first (deploy user, sudo, ufw); this playbook connects as the inventory's user
 * with sudo. The token comes from the environment: `gitlab_runner_token: !env GITLAB_RUNNER_TOKEN`
 * in the inventory, or, without that variable, GITLAB_RUNNER_TOKEN read when registering. It
 * travels to `gitlab-runner register` on stdin and never appears in output, argv or logs. Once
 * registered (a runner of this name and URL in config.toml), the token is not used again; a
 * re-run changes nothing. Variables: see {@link runnerSettings} and inventory/vds1.yml.
 */
import { BosunError } from "../../lib/core/errors.js";
import type { Host } from "../../lib/run/host.js";
import { playbook } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import { validateAgainstSchema } from "../../lib/core/schema.js";
import { Secret, secret } from "../../lib/core/secrets.js";
import type { Vars } from "../../lib/inventory/types.js";
import { UnsetEnv, unsetEnvHint } from "../../lib/core/unset-env.js";
import { gitlabRunnerRole, type GitlabRunnerRoleInput } from "../../roles/gitlab-runner/index.js";

const text = { type: "string", minLength: 1 };
const url = { type: "string", pattern: "^https?://\\S+$" };

/** The JSON Schema of the runner-setup variables (other variables are free). */
export const RUNNER_VARS_SCHEMA = {
  type: "object",
  required: ["gitlab_url"],
  properties: {
    gitlab_url: url,
    gitlab_runner_token: { anyOf: [text, { type: "object" }] },
    gitlab_runner_name: text,
    gitlab_runner_image: text,
    gitlab_runner_privileged: { type: "boolean" },
    gitlab_runner_tags: { type: "array", items: text },
    gitlab_runner_run_untagged: { type: "boolean" },
    gitlab_runner_concurrency: { type: "integer", minimum: 1 },
    gitlab_runner_version: text,
    gitlab_runner_repo_url: url,
    gitlab_runner_key_url: url,
    deploy_user: text,
    docker_compose_plugin_deb: url,
    docker_daemon_json: { type: "object" },
  },
} as const;

/** The role input for this host's variables; throws a BosunError naming a bad variable. */
export function runnerSettings(vars: Vars, host?: string): GitlabRunnerRoleInput {
  // An unset `!env` token is read by the role only when it registers (an already registered runner needs none).
  const unsetToken = vars.gitlab_runner_token instanceof UnsetEnv ? vars.gitlab_runner_token : undefined;
  if (unsetToken) vars = { ...vars, gitlab_runner_token: undefined };
  const problem = validateAgainstSchema(RUNNER_VARS_SCHEMA, vars);
  if (problem) {
    throw new BosunError(`Cannot set up the GitLab runner: ${problem.replace(/parameter/g, "variable")}`, {
      host,
      hint:
        unsetEnvHint(problem) ??
        "set it in the inventory (see inventory/vds1.yml); the token as gitlab_runner_token: !env GITLAB_RUNNER_TOKEN",
    });
  }
  const v = vars as Record<string, unknown>;
  const opt = <T>(name: string, key: string): Record<string, T> => (v[name] === undefined ? {} : { [key]: v[name] as T });
  const token = v.gitlab_runner_token as string | Secret | undefined;
  const install = {
    ...opt<string>("gitlab_runner_version", "version"),
    ...opt<string>("gitlab_runner_repo_url", "repoUrl"),
    ...opt<string>("gitlab_runner_key_url", "keyUrl"),
  };
  return {
    url: v.gitlab_url as string,
    // Without the variable, the role reads GITLAB_RUNNER_TOKEN from the environment when it registers.
    ...(token === undefined ? {} : { token: secret(token) }),
    ...(unsetToken ? { tokenEnv: unsetToken.envName } : {}),
    name: (v.gitlab_runner_name as string | undefined) ?? host,
    ...opt<string>("gitlab_runner_image", "image"),
    ...opt<boolean>("gitlab_runner_privileged", "privileged"),
    ...opt<string[]>("gitlab_runner_tags", "runnerTags"),
    ...opt<boolean>("gitlab_runner_run_untagged", "runUntagged"),
    ...opt<number>("gitlab_runner_concurrency", "concurrency"),
    ...(Object.keys(install).length ? { install } : {}),
    docker: {
      users: v.deploy_user === undefined ? [] : [v.deploy_user as string],
      ...opt<string>("docker_compose_plugin_deb", "composePluginDeb"),
      ...opt<Record<string, unknown>>("docker_daemon_json", "daemonJson"),
    },
  };
}

/** One host: docker, gitlab-runner, the runner registered once. */
export async function setUpRunner(host: Host, vars: Vars): Promise<void> {
  await gitlabRunnerRole(host, runnerSettings(vars, host.name));
}

/** The runner-setup playbook: runnable (`tsx playbooks/runner-setup.ts --inventory vds1`) and importable. */
export const runnerSetup = playbook({
  name: "runner-setup",
  hosts: "all",
  run: setUpRunner,
});

main(import.meta, runnerSetup);
