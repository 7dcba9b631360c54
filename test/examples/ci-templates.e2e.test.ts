/**
 * The CI templates as copied (examples/ci/gitlab-ci.yml, examples/ci/github-actions/*.yml): each
 * job's script, read from the template unchanged, runs in a lab container standing in for the
 * runner, against two lab hosts (bootstrapped first, as root from this machine as the team would
 * from a workstation: host 1 is staging, host 2 production).
 *
 * The runner stand-in (lib/lab/runner-container.ts): the lab's Debian 12 image with Node 20 and npm
 * at /usr/local as in `node:20-bookworm`, a fresh container per job, on the lab network: it reaches
 * the hosts by their lab names on port 22 (`t-ci1.lab.test`, which this machine cannot even
 * resolve) and the registry as the hosts do. GitLab jobs run as root in /builds/ops/ops (GitLab's
 * docker executor), GitHub steps as the `runner` user in /home/runner/work/ops/ops, each with only
 * the CI's predefined variables and the project's variables or the step's `env:` (GitHub `${{ }}`
 * replaced by the secrets, inputs and matrix values GitHub would put there). GitLab "File"
 * variables are paths to files outside the checkout (/builds/ops/ops.tmp/NAME), as GitLab passes them.
 * known_hosts is pinned from the hosts' own keys, hashed as `ssh-keyscan -H` prints them.
 *
 * Stand-ins, said plainly: the checkout's node_modules is there as GitLab's `cache: node_modules/`
 * restores it (bosun linked to this repository, its bin running lib/cli/bin.ts with tsx instead of
 * the compiled bin), so the scripts' install step finds it installed and does not `npm ci`
 * (this machine's npm registry is reachable only through this machine's own trust store); on
 * GitHub, whose setup-node caches ~/.npm and not node_modules, the real job would `npm ci`.
 * The shards of one workspace stand in for artifacts passed between jobs.
 */
import { lookup } from "node:dns/promises";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import type { LabHost, LabInfo } from "../../lib/lab/index.js";
import { LAB_DOMAIN } from "../../lib/lab/index.js";
import { removeRunnerJobs, runRunnerJob, type RunnerJobResult } from "../../lib/lab/runner-container.js";
import { RUNNER_USER } from "../../lib/lab/runner-image.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { runProcess } from "../../lib/lab/process.js";
import { bootstrap } from "../../playbooks/bootstrap/playbook.js";
import { LAB_BUNDLE_DIR } from "../../playbooks/lab/inventory.js";
import { dockerExec, useLab } from "../e2e/lab-fixture.js";
import { chownTree, githubStep, gitlabJob, pinnedKnownHosts, writeCheckout, type TemplateJob } from "./ci-workspace.js";

const REPO = process.cwd(); // jest runs from the repository root
const LAB = "t-ci";
const lab = useLab({ name: LAB, count: 2, variant: "docker" });
const SLOW = 600_000;
const PASSPHRASE = "ci-Key-Passphrase-5Wq";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
/** Where each CI has the checkout inside the runner. */
const GITLAB_DIR = "/builds/ops/ops";
const GITHUB_DIR = `${RUNNER_USER.home}/work/ops/ops`;

let services: LabServices;
let info: LabInfo;
let staging: LabHost;
let production: LabHost;
let root: string; // this machine's side of everything below
let gitlabCheckout: string;
let githubCheckout: string;
let fileVars: string; // GitLab's File variables
let keyText: string;
let secrets: Record<string, string>; // what the user stored in the CI's settings

const labName = (host: LabHost) => `${host.name}.${LAB_DOMAIN}`;

/** GitLab's predefined variables of a pipeline on main, and the project's CI/CD variables. */
function gitlabVars(job: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: "/root",
    CI: "true",
    GITLAB_CI: "true",
    CI_SERVER: "yes",
    CI_PROJECT_DIR: GITLAB_DIR,
    CI_PROJECT_NAME: "ops",
    CI_JOB_NAME: job,
    CI_COMMIT_SHA: COMMIT,
    CI_COMMIT_SHORT_SHA: COMMIT.slice(0, 8),
    CI_COMMIT_BRANCH: "main",
    CI_COMMIT_REF_NAME: "main",
    CI_DEFAULT_BRANCH: "main",
    CI_PIPELINE_SOURCE: "push",
    CI_NODE_TOTAL: "1",
    // Project variables; File variables are paths.
    BOSUN_SSH_PRIVATE_KEY: `${GITLAB_DIR}.tmp/BOSUN_SSH_PRIVATE_KEY`,
    BOSUN_SSH_KNOWN_HOSTS: `${GITLAB_DIR}.tmp/BOSUN_SSH_KNOWN_HOSTS`,
    REGISTRY_PASSWORD: secrets.REGISTRY_PASSWORD!,
    BOSUN_DEPLOY_TAG: "v1", // the tag the (user's) build stage pushed
    ...extra,
  };
}

/** GitHub's environment of a workflow run's step. */
function githubVars(job: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOME: RUNNER_USER.home,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: GITHUB_DIR,
    GITHUB_JOB: job,
    GITHUB_SHA: COMMIT,
    GITHUB_REF: "refs/heads/main",
    GITHUB_REF_NAME: "main",
    RUNNER_OS: "Linux",
    RUNNER_TEMP: `${RUNNER_USER.home}/work/_temp`,
    ...extra,
  };
}

const repoMount = { source: REPO, target: REPO, readOnly: true };

/** A GitLab job in a fresh runner container: root, the checkout and the File variables mounted. */
const runGitlab = (job: TemplateJob, vars: Record<string, string>): Promise<RunnerJobResult> =>
  runRunnerJob({
    owner: LAB,
    script: job.script,
    workdir: GITLAB_DIR,
    env: { ...vars, ...job.env },
    mounts: [repoMount, { source: gitlabCheckout, target: GITLAB_DIR }, { source: fileVars, target: `${GITLAB_DIR}.tmp`, readOnly: true }],
  });

/** A GitHub step in a fresh runner container: the `runner` user, the checkout mounted. */
const runGithub = (job: TemplateJob, vars: Record<string, string>): Promise<RunnerJobResult> =>
  runRunnerJob({
    owner: LAB,
    script: job.script,
    workdir: GITHUB_DIR,
    user: RUNNER_USER.name,
    env: { ...vars, ...job.env },
    mounts: [repoMount, { source: githubCheckout, target: GITHUB_DIR }],
  });

/** The log as GitHub shows it: workflow commands such as ::add-mask:: are not displayed. */
const shownByGitHub = (log: string): string =>
  log
    .split("\n")
    .filter((l) => !l.startsWith("::"))
    .join("\n");
const inHost = async (host: LabHost, command: string): Promise<string> =>
  (await dockerExec(host.container, ["sh", "-c", command], { allowFailure: true })).stdout;
const report = (checkout: string, name: string) =>
  JSON.parse(readFileSync(path.join(checkout, "reports", `${name}.json`), "utf8")) as {
    exit_code: number;
    stats: Record<string, { changed: number }>;
  };

/** The team's inventory of one host; `address` and `port` as the machine running bosun reaches it. */
function inventoryYaml(host: LabHost, reach: { address: string; port: number; bundle: string }): string {
  return `all:
  vars:
    ansible_user: deploy
    ansible_become: true
    deploy_user: deploy
    deploy_authorized_keys: ${JSON.stringify(readFileSync(`${info.keyPath}.pub`, "utf8").trim())}
    docker_compose_plugin_deb: ${services.composePlugin.url}
    docker_daemon_json: { insecure-registries: ["${services.registry.address}"] }
    app_dir: /srv/demo
    app_bundle_source: ${reach.bundle}
    app_env: { app_greeting: ci-test }
    registry_image: ${services.registry.address}/demo
    registry_user: ${services.registry.username}
    registry_password: !env REGISTRY_PASSWORD
    readiness:
      - { service: app, url: "http://127.0.0.1:8080/api/ready", status: 200, timeoutSeconds: 60 }
    keep_images: 2
  hosts:
    ${host.name}: { ansible_host: ${reach.address}, ansible_port: ${reach.port} }
`;
}

/** Bootstrap a host as root from this machine (through its published port), as the team hands it to CI. */
async function bootstrapFromWorkstation(host: LabHost): Promise<void> {
  const inventory = path.join(root, `workstation-${host.name}.yml`);
  writeFileSync(inventory, inventoryYaml(host, { address: "127.0.0.1", port: host.sshPort, bundle: LAB_BUNDLE_DIR }));
  let out = "";
  const sink = { write: (t: string) => ((out += t), true) };
  const argv = ["-i", inventory, "-e", "ansible_user=root", "-e", `ansible_ssh_private_key_file=${info.keyPath}`];
  const code = await runCli(bootstrap, [...argv, "-e", `bosun_known_hosts=${info.knownHostsPath}`], {
    stdout: sink,
    stderr: sink,
    handleSignals: false,
  });
  if (code !== 0) throw new Error(`bootstrap of ${host.name} exited ${code}:\n${out.slice(-3000)}`);
}

beforeAll(async () => {
  // The restored cache must be complete: the scripts check it with `npm ls` before skipping `npm ci`.
  expect((await runProcess(["npm", "ls", "--depth=0"], { cwd: REPO, allowFailure: true })).code).toBe(0);
  services = await servicesUp();
  info = lab();
  [staging, production] = info.hosts as [LabHost, LabHost];
  root = mkdtempSync(path.join(os.tmpdir(), "bosun-t-ci-"));
  gitlabCheckout = path.join(root, "gitlab", "ops");
  githubCheckout = path.join(root, "github", "ops");
  fileVars = path.join(root, "gitlab", "ops.tmp");
  mkdirSync(fileVars, { recursive: true });

  const inventories = (dir: string) => ({
    staging: inventoryYaml(staging, { address: labName(staging), port: 22, bundle: `${dir}/app` }),
    production: inventoryYaml(production, { address: labName(production), port: 22, bundle: `${dir}/app` }),
  });
  writeCheckout(gitlabCheckout, { inventories: inventories(GITLAB_DIR) });
  writeCheckout(githubCheckout, { inventories: inventories(GITHUB_DIR) });
  chownTree(githubCheckout, RUNNER_USER.uid);

  keyText = readFileSync(info.keyPath, "utf8");
  const protectedKey = path.join(root, "id_protected");
  writeFileSync(protectedKey, keyText, { mode: 0o600 });
  await runProcess(["ssh-keygen", "-q", "-p", "-f", protectedKey, "-N", PASSPHRASE, "-P", ""]);
  const knownHosts = (await pinnedKnownHosts(staging, labName(staging))) + (await pinnedKnownHosts(production, labName(production)));
  secrets = {
    BOSUN_SSH_PRIVATE_KEY_B64: readFileSync(protectedKey).toString("base64"),
    BOSUN_SSH_KEY_PASSPHRASE: PASSPHRASE,
    BOSUN_SSH_KNOWN_HOSTS: knownHosts,
    REGISTRY_PASSWORD: services.registry.password,
  };
  writeFileSync(path.join(fileVars, "BOSUN_SSH_PRIVATE_KEY"), keyText, { mode: 0o600 });
  writeFileSync(path.join(fileVars, "BOSUN_SSH_KNOWN_HOSTS"), knownHosts, { mode: 0o600 });

  await bootstrapFromWorkstation(staging);
  await bootstrapFromWorkstation(production);
}, SLOW);

describe("CI templates in a runner container", () => {
  test(
    "GitLab deploy-staging (key and known_hosts as File variables, ssh-agent) deploys the tag to staging and keeps the reports",
    async () => {
      // The inventory names the hosts by lab names that only the lab network resolves.
      await expect(lookup(labName(staging))).rejects.toThrow();
      const { code, log } = await runGitlab(gitlabJob("deploy-staging"), gitlabVars("deploy-staging"));
      expect({ code, tail: log.slice(-2500) }).toMatchObject({ code: 0 });
      // sshd saw the deploy user come from the runner's lab address, not through a published port (the gateway).
      const gateway = (await inHost(staging, "ip route | awk '/^default/ {print $3}'")).trim();
      const from = await inHost(staging, "journalctl -u ssh --no-pager -o cat | grep 'Accepted publickey for deploy from' | tail -n1");
      expect(from).toMatch(/from \d+\.\d+\.\d+\.\d+ port/);
      expect(from).not.toContain(`from ${gateway} port`);
      const workstation = await inHost(staging, "journalctl -u ssh --no-pager -o cat | grep 'Accepted publickey for root from' | tail -n1");
      expect(workstation).toContain(`from ${gateway} port`); // the bootstrap, through the published port
      expect(log).toMatch(/SSH key loaded into ssh-agent/);
      expect(log).toMatch(/dependencies already installed/);
      expect(log).toMatch(/known_hosts pinned: 6 line\(s\)/);
      expect(log).toMatch(/PLAY RECAP/);
      expect((await inHost(staging, "curl -s http://127.0.0.1:8080/version")).trim()).toBe("v1");
      expect(report(gitlabCheckout, "deploy-staging").exit_code).toBe(0);
      expect(readFileSync(path.join(gitlabCheckout, "reports", "deploy-staging.xml"), "utf8")).toMatch(
        /<testsuites name="bosun" tests="\d+" failures="0"/,
      );
      expect(log).not.toContain(keyText.split("\n")[1]);
      expect(await inHost(staging, `tail -n1 /srv/demo/.bosun/releases.jsonl`)).toContain(COMMIT);
      // bosun's cache is inside the project (BOSUN_CACHE_DIR), where the template's `cache:` keeps it for the next job.
      for (const kept of ["prefetch", "start-hints"])
        expect(readdirSync(path.join(gitlabCheckout, ".bosun-cache", kept)).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  test(
    "GitHub promote-production (base64 key with a passphrase, ssh-agent, as the runner user) deploys staging's live release to production",
    async () => {
      const step = githubStep("promote-production.yml", "promote-production", "promote", { secrets, inputs: { from: "staging" } });
      const { code, log } = await runGithub(step, githubVars("promote-production"));
      expect({ code, tail: log.slice(-2500) }).toMatchObject({ code: 0 });
      expect((await inHost(production, "curl -s http://127.0.0.1:8080/version")).trim()).toBe("v1");
      expect(report(githubCheckout, "promote-production").exit_code).toBe(0);
      expect(statSync(path.join(githubCheckout, "reports", "promote-production.json")).uid).toBe(RUNNER_USER.uid);
      // GitHub hides the ::add-mask:: command itself and masks the value everywhere after it; nothing else may show it.
      expect(log).toContain(`::add-mask::${PASSPHRASE}`);
      expect(shownByGitHub(log)).not.toContain(PASSPHRASE.slice(3, -3));
    },
    SLOW,
  );

  test(
    "GitLab bootstrap-drift (parallel: CI_NODE_INDEX/CI_NODE_TOTAL; base64 key with a passphrase in a key file) and its report job pass on the converged host",
    async () => {
      const job = gitlabJob("bootstrap-drift");
      const total = job.parallel ?? 1;
      expect(total).toBeGreaterThan(1);
      // Project variables of this pipeline: the passphrase-protected key, given to bosun as a file.
      const project = {
        BOSUN_SSH_PRIVATE_KEY_B64: secrets.BOSUN_SSH_PRIVATE_KEY_B64!,
        BOSUN_SSH_KEY_PASSPHRASE: PASSPHRASE,
        BOSUN_SSH_MODE: "file",
        CI_PIPELINE_SOURCE: "schedule",
        CI_NODE_TOTAL: String(total),
      };
      const shards = await Promise.all(
        Array.from({ length: total }, (_, i) =>
          runGitlab(job, gitlabVars(`bootstrap-drift ${i + 1}/${total}`, { ...project, CI_NODE_INDEX: String(i + 1) })),
        ),
      );
      expect(shards.map((s) => ({ code: s.code, tail: s.code === 0 ? "" : s.log.slice(-2500) }))).toEqual(
        shards.map(() => ({ code: 0, tail: "" })),
      );
      expect(shards.map((s) => s.log).join("")).toMatch(/SSH key in a job-private file/);
      const merged = await runGitlab(
        gitlabJob("bootstrap-drift-report"),
        gitlabVars("bootstrap-drift-report", { CI_PIPELINE_SOURCE: "schedule" }),
      );
      expect({ code: merged.code, tail: merged.log.slice(-2500) }).toMatchObject({ code: 0 });
      expect(merged.log).toMatch(new RegExp(`${production.name} +: ok=\\d+ +changed=0 +unreachable=0 +failed=0`));
      expect(report(gitlabCheckout, "bootstrap-drift").stats[production.name]?.changed).toBe(0);
    },
    SLOW,
  );

  test(
    "GitHub bootstrap-drift (matrix BOSUN_SHARD) fails after a manual change on the host, and the JUnit file names host and task",
    async () => {
      await inHost(production, "echo '# hand edit' >> /etc/ssh/sshd_config.d/00-bosun-hardening.conf");
      const runs = await Promise.all(
        ["1", "2"].map((shard) =>
          runGithub(
            githubStep("bootstrap-drift.yml", "bootstrap-drift", "drift check", { secrets, matrix: { shard } }),
            githubVars("bootstrap-drift"),
          ),
        ),
      );
      // The shard holding the host finds the drift (exit 3); the other has no host.
      expect(runs.map((r) => r.code).sort()).toEqual([0, 3]);
      const merged = await runGithub(
        githubStep("bootstrap-drift.yml", "bootstrap-drift-report", "merge shard reports", {}),
        githubVars("bootstrap-drift-report"),
      );
      expect(merged.code).toBe(3);
      const junit = readFileSync(path.join(githubCheckout, "reports", "bootstrap-drift.xml"), "utf8");
      expect(junit).toMatch(
        new RegExp(
          `<testcase classname="${production.name}" name="sshd_config.d/00-bosun-hardening.conf"[^>]*>\\s*<failure type="changed" message="\\[${production.name}\\] access.sshdConfig`,
        ),
      );
      expect(junit.match(/<failure /g)).toHaveLength(1);
      expect(shownByGitHub(runs.map((r) => r.log).join(""))).not.toContain(PASSPHRASE.slice(3, -3));
      expect(runs.map((r) => r.log).join("")).not.toMatch(/shard \d\/2 missing/);
      expect(existsSync(path.join(githubCheckout, "reports", "bootstrap-drift.json"))).toBe(true);
    },
    SLOW,
  );
});

afterAll(async () => {
  await removeRunnerJobs(LAB);
  if (root) rmSync(root, { recursive: true, force: true });
}, 60_000);
