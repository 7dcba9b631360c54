/**
 * The runner-setup playbook through its CLI on a `docker` lab host, against a local stand-in for
 * packages.gitlab.com and GitLab (a signed apt repository on the host serving a fake
 * gitlab-runner that registers without a GitLab and logs its argv). The token comes from the
 * environment through the inventory's `!env` and must appear in no output and no argv.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runCli } from "../../lib/cli/main.js";
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import type { LabHost } from "../../lib/lab/index.js";
import { runnerSetup } from "../../playbooks/runner-setup/playbook.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";
import { buildGitlabRunnerRepoScript, FAKE_RUNNER_LOG } from "../support/stand-ins/gitlab-runner-repo.js";

const lab = useLab({ name: "t-runner-setup", variant: "docker" });
const SLOW = 300_000;
const TOKEN = "glrt-playbook-e2e-Rq7Xw2Lp9";

let services: LabServices;
let host: LabHost;
let dir: string;
let inventoryFile: string;

async function sh(command: string, input?: string): Promise<string> {
  const r = await sshExec(host, command, { allowFailure: true, ...(input === undefined ? {} : { input }) });
  return `${r.stdout}${r.stderr}`;
}
const state = () =>
  sh("dpkg-query -W -f='${Status} ${Version}\\n' gitlab-runner 2>&1; cat /etc/gitlab-runner/config.toml 2>&1; cat /etc/docker/daemon.json");

/** Run the CLI; returns the exit code and everything it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const sink = { write: (t: string) => ((out += t), true) };
  const code = await runCli(runnerSetup, ["--inventory", inventoryFile, ...args], { stdout: sink, stderr: sink, handleSignals: false });
  return { code, out };
}

beforeAll(async () => {
  services = await servicesUp();
  const info = lab();
  host = info.hosts[0]!;
  const built = await sshExec(host, "sh", { input: buildGitlabRunnerRepoScript(), allowFailure: true });
  if (built.code !== 0) throw new Error(`stand-in repository: ${built.stderr}`);
  dir = mkdtempSync(path.join(tmpdir(), "bosun-t-runner-"));
  inventoryFile = path.join(dir, "vds1.yml");
  writeFileSync(
    inventoryFile,
    `all:
  vars:
    ansible_user: root
    ansible_ssh_private_key_file: ${info.keyPath}
    bosun_known_hosts: ${info.knownHostsPath}
  hosts:
    vds1:
      ansible_host: 127.0.0.1
      ansible_port: ${host.sshPort}
      gitlab_url: https://gitlab.example.com
      gitlab_runner_token: !env GITLAB_RUNNER_TOKEN
      gitlab_runner_image: docker:27
      gitlab_runner_privileged: true
      gitlab_runner_concurrency: 2
      gitlab_runner_repo_url: http://127.0.0.1/debian          # the stand-in for packages.gitlab.com, on the host
      gitlab_runner_key_url: http://127.0.0.1:${host.httpPort}/gpgkey   # the same, as this machine reaches it
      docker_compose_plugin_deb: ${services.composePlugin.url}
`,
  );
  process.env.GITLAB_RUNNER_TOKEN = TOKEN;
}, SLOW);
afterAll(() => {
  delete process.env.GITLAB_RUNNER_TOKEN;
  rmSync(dir, { recursive: true, force: true });
});

describe("playbook runner-setup, against a local stand-in for packages.gitlab.com and GitLab", () => {
  test(
    "--check reports the install and the registration and changes nothing",
    async () => {
      const before = await state();
      const { code, out } = await cli("--check");
      expect(code).toBe(0);
      expect(out).toMatch(/changed: \[vds1\] gitlab-runner from GitLab's apt repository/);
      expect(out).toMatch(/changed: \[vds1\] gitlab runner vds1 registered at https:\/\/gitlab\.example\.com/);
      expect(await state()).toBe(before);
      expect(before).toContain("no packages found matching gitlab-runner");
    },
    SLOW,
  );

  test(
    "the first run installs gitlab-runner and registers the runner once with the docker executor, the token in no output and no argv; a second run changes nothing and registers nothing again",
    async () => {
      const { code, out } = await cli("-v");
      expect(code).toBe(0);
      const config = await sh("cat /etc/gitlab-runner/config.toml");
      expect(config).toMatch(/^concurrent = 2$/m);
      expect(config.match(/\[\[runners\]\]/g)).toHaveLength(1);
      expect(config).toContain('name = "vds1"');
      expect(config).toContain('url = "https://gitlab.example.com"');
      expect(config).toContain('executor = "docker"');
      expect(config).toContain('image = "docker:27"');
      expect(config).toMatch(/privileged = true/);
      expect(out).not.toContain(TOKEN);
      const log = await sh(`cat ${FAKE_RUNNER_LOG}`);
      expect(log).toMatch(/argv: \[register\] \[--non-interactive\]/);
      expect(log).not.toContain(TOKEN);
      expect(log).not.toContain("token given in argv");
      expect(log).toContain("env: CI_SERVER_TOKEN sha256=");

      // The run right after the first, in the same test (so it cannot pass against a host some other run converged).
      const again = await cli("--json");
      expect(again.code).toBe(0);
      const doc = JSON.parse(again.out) as { stats: Record<string, { changed: number; ok: number }> };
      expect(doc.stats.vds1).toMatchObject({ changed: 0 });
      expect(again.out).not.toContain(TOKEN);
      expect((await sh(`grep -c 'argv: \\[register\\]' ${FAKE_RUNNER_LOG}`)).trim()).toBe("1");
    },
    SLOW,
  );
});
