/**
 * Set the deploy secrets of the CI that deploys each host: GitHub repository secrets (sealed box,
 * githubSecret) and GitLab project CI/CD variables (masked and protected), named as the CI
 * templates in examples/ci/ read them.
 *
 *   GITHUB_TOKEN=... GITLAB_TOKEN=... tsx playbooks/ci-secrets.ts --inventory cfa2 [--check]
 *
 * Runs on the controller only (the hosts are not contacted). Per host with `ci_secrets`:
 *   DEPLOY_HOST (ansible_host), DEPLOY_USER (deploy_user or ansible_user), BOSUN_SSH_PRIVATE_KEY_B64
 *   (the key file, base64 on one line), BOSUN_SSH_KNOWN_HOSTS (the host's lines from the
 *   controller's known_hosts, or ci_secrets.known_hosts). Names are configurable (ci_secrets.names).
 * Change:
 * - GitLab returns a variable's value to a maintainer: compared, written only when the value or a
 *   flag differs. The key is masked and protected; the others protected (not secret, and GitLab
 *   cannot mask a value shorter than 8 characters); known_hosts is a File variable.
 * - GitHub never returns a secret's value: githubSecret's stateFile keeps on the controller a salted
 *   SHA-256 of what it set and GitHub's updated_at after it (ci_secrets.state_file, default
 *   ~/.cache/bosun/ci-secrets/github-secrets.json); a secret is set again when the value differs,
 *   the file has no entry (first run, another controller), or updated_at moved (set outside bosun).
 *
 * Variables (one repository or project per host, e.g. in host_vars):
 *   ci_secrets:
 *     github: { repo: acme/cfa, token: !env GITHUB_TOKEN }                  # api_base for GHES
 *     gitlab: { project: acme/cfa, token: !env GITLAB_TOKEN, api_base: https://gitlab.example.com/api/v4 }
 *     private_key_file: ~/.ssh/cfa_deploy
 *     names: { host: CFA2_HOST }                                            # optional
 */
import type { Host } from "../../lib/run/host.js";
import { playbook } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import type { Vars } from "../../lib/inventory/types.js";
import { githubSecret } from "../../lib/tasks/github/index.js";
import { gitlabVariable } from "../../lib/tasks/gitlab/index.js";
import { ciSecretsSettings, type CiValue } from "./settings.js";

/** GitLab flags per value: the key masked (base64 on one line); known_hosts a file; all protected; nothing else is secret. */
function gitlabFlags(v: CiValue): { masked: boolean; variableType: "env_var" | "file" } {
  return { masked: v.kind === "private_key", variableType: v.kind === "known_hosts" ? "file" : "env_var" };
}

/** One host's CI secrets. */
export async function setCiSecrets(host: Host, vars: Vars): Promise<void> {
  const s = ciSecretsSettings(vars, host.name);
  if (!s) return host.log("no ci_secrets: nothing to do");
  for (const v of s.values) {
    if (s.github) {
      const { repo, token, apiBase } = s.github;
      await host.run(githubSecret({ repo, name: v.name, value: v.value, token, stateFile: s.stateFile, ...(apiBase ? { apiBase } : {}) }));
    }
    if (s.gitlab) {
      const { project, token, apiBase, environmentScope } = s.gitlab;
      await host.run(
        gitlabVariable({
          project,
          key: v.name,
          value: v.value,
          token,
          protected: true,
          ...gitlabFlags(v),
          ...(apiBase ? { apiBase } : {}),
          ...(environmentScope ? { environmentScope } : {}),
        }),
      );
    }
  }
}

/** The ci-secrets playbook: on the controller (ansible_connection local), per host with ci_secrets. */
export const ciSecrets = playbook({
  name: "ci-secrets",
  hosts: "all",
  vars: { ansible_connection: "local", ansible_become: false },
  run: setCiSecrets,
});

main(import.meta, ciSecrets);
