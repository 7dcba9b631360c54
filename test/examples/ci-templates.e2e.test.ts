/**
 * The CI templates as copied (examples/ci/gitlab-ci.yml, examples/ci/github-actions/*.yml): each
 * job's script, read from the template unchanged, runs against two lab hosts (bootstrapped first:
 * host 1 is staging, host 2 production) with the variables the CI would set.
 *
 * Where it runs: on this controller, not in a runner container (a Debian-with-Node container per
 * job is too slow on this shared machine). A stand-in for the runner: the job runs with `sh` in a
 * checkout of an ops repository (inventory/, playbooks/ and ci/scripts/ as the templates expect,
 * bosun and tsx in node_modules linked to this repository, `node_modules/.bin/bosun` a shim running
 * lib/cli/bin.ts with tsx instead of the compiled bin), with a fresh HOME as a runner container has,
 * and only PATH plus the CI's predefined and project variables in the environment. GitLab "File"
 * variables are paths to files holding the value, as GitLab passes them; GitHub `${{ }}` expressions
 * are replaced by the secrets, inputs and matrix values GitHub would put there.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { runCli } from "../../lib/cli/main.js";
import type { LabHost, LabInfo } from "../../lib/lab/index.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { runProcess } from "../../lib/lab/process.js";
import { bootstrap } from "../../playbooks/bootstrap.js";
import { LAB_BUNDLE_DIR } from "../../playbooks/lab/inventory.js";
import { dockerExec, useLab } from "../e2e/lab-fixture.js";

const REPO = process.cwd(); // jest runs from the repository root
const lab = useLab({ name: "t-ci", count: 2, variant: "docker" });
const SLOW = 600_000;
const PASSPHRASE = "ci-Key-Passphrase-5Wq";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

let services: LabServices;
let info: LabInfo;
let staging: LabHost;
let production: LabHost;
let ops: string; // the ops repository's checkout
let runnerHome: string;
let secrets: Record<string, string>; // what the user stored in the CI's settings
let keyText: string;

interface Job {
  readonly script: string;
  readonly env: Record<string, string>;
}

/** A GitLab job of the template: global and job variables, and its script lines as one shell script. */
function gitlabJob(name: string): Job & { parallel?: number } {
  const ci = parse(readFileSync(path.join(REPO, "examples/ci/gitlab-ci.yml"), "utf8")) as Record<string, Record<string, unknown>>;
  const job = ci[name] as { variables?: Record<string, string>; script: string[]; parallel?: number };
  if (!job) throw new Error(`no job ${name} in gitlab-ci.yml`);
  return { script: job.script.join("\n"), env: { ...(ci.variables as Record<string, string>), ...job.variables }, parallel: job.parallel };
}

/** A GitHub workflow step by name, with `${{ }}` replaced as GitHub would. */
function githubStep(file: string, jobName: string, stepName: string, context: Record<string, Record<string, string>>): Job {
  const wf = parse(readFileSync(path.join(REPO, "examples/ci/github-actions", file), "utf8")) as {
    jobs: Record<string, { steps: { name?: string; run?: string; env?: Record<string, string> }[] }>;
  };
  const step = wf.jobs[jobName]?.steps.find((s) => s.name === stepName);
  if (!step?.run) throw new Error(`no step "${stepName}" in ${file} ${jobName}`);
  const expand = (text: string): string =>
    text.replace(/\$\{\{\s*(\w+)\.([\w-]+)\s*\}\}/g, (_, scope: string, key: string) => {
      const value = context[scope]?.[key];
      if (scope === "secrets") return value ?? ""; // an unset secret is empty
      if (value === undefined) throw new Error(`${file}: no value for ${scope}.${key}`);
      return value;
    });
  return { script: expand(step.run), env: Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))])) };
}

/** Run a job's script as the runner would: sh in the checkout, a fresh HOME, PATH and the CI's variables only. */
function runJob(job: Job, ciVars: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // controller-tools: sh npm npx ssh-agent ssh-add ssh-keyscan base64 cat chmod cut env grep mkdir mktemp printf rm tr (the job scripts in examples/ci/scripts)
    const child = spawn("sh", ["-e", "-c", job.script], {
      cwd: ops,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: runnerHome, ...ciVars, ...job.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** GitLab's predefined variables of a push pipeline on main, plus the project's CI/CD variables. */
function gitlabVars(extra: Record<string, string> = {}): Record<string, string> {
  const fileVar = (name: string, value: string): string => {
    const file = path.join(ops, "..", `gitlab-file-var-${name}`); // GitLab writes File variables outside the checkout
    writeFileSync(file, value, { mode: 0o600 });
    return file;
  };
  return {
    CI: "true",
    GITLAB_CI: "true",
    CI_PROJECT_DIR: ops,
    CI_COMMIT_SHA: COMMIT,
    CI_COMMIT_SHORT_SHA: COMMIT.slice(0, 8),
    CI_COMMIT_BRANCH: "main",
    CI_DEFAULT_BRANCH: "main",
    CI_PIPELINE_SOURCE: "push",
    BOSUN_SSH_PRIVATE_KEY: fileVar("BOSUN_SSH_PRIVATE_KEY", keyText),
    BOSUN_SSH_KNOWN_HOSTS: fileVar("BOSUN_SSH_KNOWN_HOSTS", secrets.BOSUN_SSH_KNOWN_HOSTS!),
    REGISTRY_PASSWORD: secrets.REGISTRY_PASSWORD!,
    BOSUN_DEPLOY_TAG: "v1", // the tag the (user's) build stage pushed
    ...extra,
  };
}

/** GitHub's environment of a workflow run. */
function githubVars(extra: Record<string, string> = {}): Record<string, string> {
  return { CI: "true", GITHUB_ACTIONS: "true", GITHUB_SHA: COMMIT, GITHUB_REF: "refs/heads/main", GITHUB_WORKSPACE: ops, ...extra };
}

/** The log as GitHub shows it: workflow commands such as ::add-mask:: are not displayed. */
const shownByGitHub = (log: string): string =>
  log
    .split("\n")
    .filter((l) => !l.startsWith("::"))
    .join("\n");
const inHost = async (host: LabHost, command: string): Promise<string> =>
  (await dockerExec(host.container, ["sh", "-c", command], { allowFailure: true })).stdout;
const report = (name: string) =>
  JSON.parse(readFileSync(path.join(ops, "reports", `${name}.json`), "utf8")) as {
    exit_code: number;
    stats: Record<string, { changed: number }>;
  };

function inventoryYaml(host: LabHost): string {
  return `all:
  vars:
    ansible_user: deploy
    ansible_become: true
    deploy_user: deploy
    deploy_authorized_keys: ${JSON.stringify(readFileSync(`${info.keyPath}.pub`, "utf8").trim())}
    docker_compose_plugin_deb: ${services.composePlugin.url}
    docker_daemon_json: { insecure-registries: ["${services.registry.address}"] }
    app_dir: /srv/demo
    app_bundle_source: ${LAB_BUNDLE_DIR}
    app_env: { app_greeting: ci-test }
    registry_image: ${services.registry.address}/demo
    registry_user: ${services.registry.username}
    registry_password: !env REGISTRY_PASSWORD
    readiness:
      - { service: app, url: "http://127.0.0.1:8080/api/ready", status: 200, timeoutSeconds: 60 }
    keep_images: 2
  hosts:
    ${host.name}: { ansible_host: 127.0.0.1, ansible_port: ${host.sshPort} }
`;
}

beforeAll(async () => {
  // The script would `npm ci` where dependencies are missing; here they must be found installed.
  expect((await runProcess(["npm", "ls", "--depth=0"], { cwd: REPO, allowFailure: true })).code).toBe(0);
  services = await servicesUp();
  info = lab();
  [staging, production] = info.hosts as [LabHost, LabHost];
  const root = mkdtempSync(path.join(os.tmpdir(), "bosun-t-ci-"));
  ops = path.join(root, "ops");
  runnerHome = path.join(root, "home");
  mkdirSync(runnerHome);
  mkdirSync(path.join(ops, "inventory"), { recursive: true });
  mkdirSync(path.join(ops, "ci"));
  mkdirSync(path.join(ops, "node_modules", ".bin"), { recursive: true });
  symlinkSync(path.join(REPO, "playbooks"), path.join(ops, "playbooks"));
  symlinkSync(path.join(REPO, "examples/ci/scripts"), path.join(ops, "ci", "scripts"));
  symlinkSync(REPO, path.join(ops, "node_modules", "bosun"));
  symlinkSync(path.join(REPO, "node_modules", "tsx"), path.join(ops, "node_modules", "tsx"));
  symlinkSync(path.join(REPO, "node_modules", ".bin", "tsx"), path.join(ops, "node_modules", ".bin", "tsx"));
  writeFileSync(
    path.join(ops, "node_modules", ".bin", "bosun"),
    `#!/bin/sh\nexec ${path.join(REPO, "node_modules/.bin/tsx")} ${path.join(REPO, "lib/cli/bin.ts")} "$@"\n`,
    { mode: 0o755 },
  );
  writeFileSync(path.join(ops, "package.json"), JSON.stringify({ name: "ops", private: true, dependencies: { bosun: "*", tsx: "*" } }));
  writeFileSync(path.join(ops, "inventory", "staging.yml"), inventoryYaml(staging));
  writeFileSync(path.join(ops, "inventory", "production.yml"), inventoryYaml(production));

  keyText = readFileSync(info.keyPath, "utf8");
  const protectedKey = path.join(root, "id_protected");
  writeFileSync(protectedKey, keyText, { mode: 0o600 });
  await runProcess(["ssh-keygen", "-q", "-p", "-f", protectedKey, "-N", PASSPHRASE, "-P", ""]);
  secrets = {
    BOSUN_SSH_PRIVATE_KEY_B64: readFileSync(protectedKey).toString("base64"),
    BOSUN_SSH_KEY_PASSPHRASE: PASSPHRASE,
    BOSUN_SSH_KNOWN_HOSTS: readFileSync(info.knownHostsPath, "utf8"),
    REGISTRY_PASSWORD: services.registry.password,
  };

  // The hosts as the team hands them to CI: bootstrapped once, as root, from a workstation.
  for (const host of [staging, production]) {
    let out = "";
    const code = await runCli(
      bootstrap,
      ["-i", path.join(ops, "inventory", host === staging ? "staging.yml" : "production.yml"), "-e", "ansible_user=root"].concat([
        "-e",
        `ansible_ssh_private_key_file=${info.keyPath}`,
        "-e",
        `bosun_known_hosts=${info.knownHostsPath}`,
      ]),
      { stdout: { write: (t: string) => ((out += t), true) }, stderr: { write: (t: string) => ((out += t), true) }, handleSignals: false },
    );
    if (code !== 0) throw new Error(`bootstrap of ${host.name} exited ${code}:\n${out.slice(-3000)}`);
  }
}, SLOW);

describe("CI templates", () => {
  test(
    "GitLab deploy-staging (key and known_hosts as File variables, ssh-agent) deploys the tag to staging and keeps the reports",
    async () => {
      const { code, output } = await runJob(gitlabJob("deploy-staging"), gitlabVars());
      expect({ code, tail: output.slice(-2500) }).toMatchObject({ code: 0 });
      expect(output).toMatch(/SSH key loaded into ssh-agent/);
      expect(output).toMatch(/dependencies already installed/);
      expect(output).toMatch(/PLAY RECAP/);
      expect((await inHost(staging, "curl -s http://127.0.0.1:8080/version")).trim()).toBe("v1");
      expect(report("deploy-staging").exit_code).toBe(0);
      expect(readFileSync(path.join(ops, "reports", "deploy-staging.xml"), "utf8")).toMatch(
        /<testsuites name="bosun" tests="\d+" failures="0"/,
      );
      expect(output).not.toContain(keyText.split("\n")[1]);
      expect(await inHost(staging, `tail -n1 /srv/demo/.bosun/releases.jsonl`)).toContain(COMMIT);
    },
    SLOW,
  );

  test(
    "GitHub promote-production (base64 key with a passphrase, ssh-agent) deploys staging's live release to production",
    async () => {
      const step = githubStep("promote-production.yml", "promote-production", "promote", { secrets, inputs: { from: "staging" } });
      const { code, output } = await runJob(step, githubVars());
      expect({ code, tail: output.slice(-2500) }).toMatchObject({ code: 0 });
      expect((await inHost(production, "curl -s http://127.0.0.1:8080/version")).trim()).toBe("v1");
      expect(report("promote-production").exit_code).toBe(0);
      // GitHub hides the ::add-mask:: command itself and masks the value everywhere after it; nothing else may show it.
      expect(output).toContain(`::add-mask::${PASSPHRASE}`);
      expect(shownByGitHub(output)).not.toContain(PASSPHRASE.slice(3, -3));
    },
    SLOW,
  );

  test(
    "GitLab bootstrap-drift (parallel: CI_NODE_INDEX/CI_NODE_TOTAL) and its report job pass on the converged host",
    async () => {
      const job = gitlabJob("bootstrap-drift");
      const total = job.parallel ?? 1;
      expect(total).toBeGreaterThan(1);
      const vars = gitlabVars({ CI_PIPELINE_SOURCE: "schedule", CI_NODE_TOTAL: String(total) });
      const shards = await Promise.all(Array.from({ length: total }, (_, i) => runJob(job, { ...vars, CI_NODE_INDEX: String(i + 1) })));
      expect(shards.map((s) => s.code)).toEqual(shards.map(() => 0));
      const merged = await runJob(gitlabJob("bootstrap-drift-report"), vars);
      expect({ code: merged.code, tail: merged.output.slice(-2500) }).toMatchObject({ code: 0 });
      expect(merged.output).toMatch(new RegExp(`${production.name} +: ok=\\d+ +changed=0 +unreachable=0 +failed=0`));
      expect(report("bootstrap-drift").stats[production.name]?.changed).toBe(0);
    },
    SLOW,
  );

  test(
    "GitHub bootstrap-drift (matrix BOSUN_SHARD, key file mode) fails after a manual change, and the JUnit file names host and task",
    async () => {
      await inHost(production, "echo '# hand edit' >> /etc/ssh/sshd_config.d/00-bosun-hardening.conf");
      const runs = await Promise.all(
        ["1", "2"].map((shard) =>
          runJob(
            githubStep("bootstrap-drift.yml", "bootstrap-drift", "drift check", { secrets, matrix: { shard } }),
            githubVars({ BOSUN_SSH_MODE: "file" }),
          ),
        ),
      );
      expect(runs.map((r) => r.code).sort()).toEqual([0, 3]); // the shard holding the host finds the drift; the other has no host
      const merged = await runJob(githubStep("bootstrap-drift.yml", "bootstrap-drift-report", "merge shard reports", {}), githubVars());
      expect(merged.code).toBe(3);
      const junit = readFileSync(path.join(ops, "reports", "bootstrap-drift.xml"), "utf8");
      expect(junit).toMatch(
        new RegExp(
          `<testcase classname="${production.name}" name="sshd_config.d/00-bosun-hardening.conf"[^>]*>\\s*<failure type="changed" message="\\[${production.name}\\] access.sshdConfig`,
        ),
      );
      expect(junit.match(/<failure /g)).toHaveLength(1);
      expect(shownByGitHub(runs.map((r) => r.output).join(""))).not.toContain(PASSPHRASE.slice(3, -3));
      expect(runs.map((r) => r.output).join("")).not.toMatch(/shard \d\/2 missing/);
      expect(existsSync(path.join(ops, "reports", "bootstrap-drift.json"))).toBe(true);
    },
    SLOW,
  );
});

afterAll(async () => {
  if (ops) rmSync(path.dirname(ops), { recursive: true, force: true });
});
