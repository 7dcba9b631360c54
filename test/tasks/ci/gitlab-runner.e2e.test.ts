/**
 * gitlabRunner and gitlabRunnerRegister on a lab host over real SSH, against a local stand-in for
 * packages.gitlab.com: a signed apt repository on the host itself, serving fake gitlab-runner
 * packages built with dpkg-deb (GitLab's servers are not reachable here).
 */
import { createHash } from "node:crypto";
import { secret } from "../../../lib/core/secrets.js";
import { gitlabRunner, gitlabRunnerRegister } from "../../../lib/tasks/ci/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { labTarget, expectConverges, TaskRunner } from "../../e2e/task-harness.js";
import { buildGitlabRunnerRepoScript, FAKE_RUNNER_LOG } from "../../support/stand-ins/gitlab-runner-repo.js";

const lab = useLab({ name: "t-ci", count: 1 });
const CONFIG = "/etc/gitlab-runner/config.toml";
const RUNNER_TOKEN = "glrt-e2e-Vq3L9xZt0pRs7YwK2mNb";
let runner: TaskRunner;
let install: () => ReturnType<typeof gitlabRunner>;

function shOk(command: string, input?: string): string {
  const r = runner.sh(command, input);
  if (r.code !== 0) throw new Error(`${command.slice(0, 80)}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
const installState = () =>
  runner.sh(
    `cat /etc/apt/sources.list.d/gitlab-runner.sources 2>&1; sha256sum /etc/apt/keyrings/gitlab-runner.gpg 2>&1; dpkg-query -W -f='\${Status} \${Version}\\n' gitlab-runner 2>&1`,
  ).stdout;
const configState = () => runner.sh(`cat ${CONFIG} 2>&1`).stdout;

beforeAll(() => {
  const info = lab();
  const host = info.hosts[0]!;
  runner = new TaskRunner(labTarget(info));
  shOk("sh", buildGitlabRunnerRepoScript());
  // The controller fetches the key through the host's published port 80; the host reads the repository on its own loopback.
  install = () => gitlabRunner({ keyUrl: `http://127.0.0.1:${host.httpPort}/gpgkey`, repoUrl: "http://127.0.0.1/debian" });
}, 120_000);
afterAll(async () => {
  await runner?.close();
});

describe("gitlabRunner() against a local stand-in for packages.gitlab.com", () => {
  test("gitlabRunner() adds the signed repository (deb822, key in /etc/apt/keyrings) and installs gitlab-runner; a second run is ok in one command", async () => {
    const { checked, applied } = await expectConverges(runner, install(), installState);
    expect(checked.message).toBe(
      "add key /etc/apt/keyrings/gitlab-runner.gpg; write /etc/apt/sources.list.d/gitlab-runner.sources; install gitlab-runner",
    );
    expect(applied.output).toEqual({ version: "17.5.0-1" });
    expect(shOk("cat /etc/apt/sources.list.d/gitlab-runner.sources")).toBe(
      "Types: deb\nURIs: http://127.0.0.1/debian\nSuites: bookworm\nComponents: main\nSigned-By: /etc/apt/keyrings/gitlab-runner.gpg\n",
    );
    // The keyring is the stand-in's key, dearmored: gpg sees the same fingerprint in both.
    const fpr = (cmd: string) => shOk(`${cmd} | gpg --show-keys --with-colons 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }'`);
    expect(fpr("cat /etc/apt/keyrings/gitlab-runner.gpg")).toBe(fpr("cat /srv/stand-in/gitlab/gpgkey"));
    expect(shOk("stat -c %a /etc/apt/keyrings/gitlab-runner.gpg; gitlab-runner --version; id -un gitlab-runner")).toBe(
      "644\nVersion:      17.5.0-1 (stand-in)\ngitlab-runner\n",
    );
  });

  test("gitlabRunner() pins a version (downgrading when asked) and then leaves it", async () => {
    const pinned = gitlabRunner({ ...install().params, version: "16.11.0-1" });
    const r = await runner.run(pinned);
    expect(r).toMatchObject({
      status: "changed",
      commands: 2,
      output: { version: "16.11.0-1" },
      message: "gitlab-runner 17.5.0-1 → 16.11.0-1",
    });
    expect(await runner.run(pinned)).toMatchObject({ status: "ok", commands: 1 });
    expect(await runner.run(install())).toMatchObject({ status: "ok", message: "gitlab-runner 16.11.0-1 is installed" });
  });

  test("gitlabRunner() fails clearly when the repository's signature does not verify", async () => {
    shOk("cp /etc/apt/keyrings/gitlab-runner.gpg /root/keyring.bak");
    shOk(
      "apt-get remove -y -q gitlab-runner >/dev/null 2>&1; gpg --batch --quiet --passphrase '' --quick-gen-key 'other <o@x>' ed25519 sign never 2>/dev/null; gpg --export 'other <o@x>' > /etc/apt/keyrings/gitlab-runner.gpg",
    );
    const r = await runner.run(install());
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(/^Cannot install gitlab-runner: apt-get failed .*(NO_PUBKEY|not signed|signature)/s);
    shOk("cp /root/keyring.bak /etc/apt/keyrings/gitlab-runner.gpg");
    expect((await runner.run(install())).status).toBe("changed");
  });
});

describe("gitlabRunnerRegister() against the stand-in gitlab-runner", () => {
  const register = (extra: Partial<Parameters<typeof gitlabRunnerRegister>[0]> = {}) =>
    gitlabRunnerRegister({
      url: "https://gitlab.example.com",
      token: secret(RUNNER_TOKEN),
      image: "docker:27",
      privileged: true,
      volumes: ["/certs/client"],
      concurrency: 4,
      ...extra,
    });

  test("gitlabRunnerRegister() registers once with the docker executor; --check changes nothing; a second run is ok in one command", async () => {
    const before = runner.rawCommands.length;
    const { checked } = await expectConverges(runner, register(), configState);
    expect(checked.message).toBe("register runner t-ci1 at https://gitlab.example.com (docker, docker:27, privileged)");
    const config = configState();
    expect(config).toMatch(/^concurrent = 4\n/);
    expect(config).toContain(`  name = "t-ci1"\n  url = "https://gitlab.example.com"\n`);
    expect(config).toContain(`  token = "${RUNNER_TOKEN}"\n`);
    expect(config).toContain('    image = "docker:27"\n    privileged = true\n');
    expect(config).toContain('volumes = ["/cache", "/certs/client"]');
    expect(shOk(`grep -c '^\\[\\[runners\\]\\]' ${CONFIG}`)).toBe("1\n");
    // The token reached gitlab-runner through its environment, not argv: the stand-in logs both.
    const log = shOk(`cat ${FAKE_RUNNER_LOG}`);
    expect(log).toContain(`env: CI_SERVER_TOKEN sha256=${createHash("sha256").update(RUNNER_TOKEN).digest("hex")}`);
    expect(log).not.toContain(RUNNER_TOKEN);
    expect(runner.rawCommands.slice(before).join("\n")).not.toContain(RUNNER_TOKEN);
    expect(JSON.stringify(runner.commands)).not.toContain(RUNNER_TOKEN);
  });

  test("gitlabRunnerRegister() edits only the lines that differ (image, privileged, concurrent), never registering twice", async () => {
    const before = configState();
    const call = register({ image: "docker:28", privileged: false, concurrency: 2 });
    const r = await runner.run(call);
    expect(r).toMatchObject({
      status: "changed",
      commands: 2,
      message: "runner t-ci1: image docker:27 → docker:28, privileged true → false, concurrent 4 → 2",
    });
    expect(configState()).toBe(
      before
        .replace("concurrent = 4", "concurrent = 2")
        .replace('image = "docker:27"', 'image = "docker:28"')
        .replace("privileged = true", "privileged = false"),
    );
    expect(shOk(`stat -c %a ${CONFIG}; grep -c '^\\[\\[runners\\]\\]' ${CONFIG}`)).toBe("600\n1\n");
    expect(await runner.run(call)).toMatchObject({ status: "ok", commands: 1 });
  });

  test("gitlabRunnerRegister() with a legacy registration token passes it as REGISTRATION_TOKEN with tags", async () => {
    const legacy = "GR1348941e2eLegacyToken0";
    const r = await runner.run(
      gitlabRunnerRegister({
        url: "https://gitlab.example.com",
        token: secret(legacy),
        name: "vds1-legacy",
        image: "alpine:3",
        tagList: ["vds1", "docker"],
        runUntagged: false,
        locked: true,
      }),
    );
    expect(r.status).toBe("changed");
    const log = shOk(`tail -n 2 ${FAKE_RUNNER_LOG}`);
    expect(log).toContain("[--tag-list] [vds1,docker] [--run-untagged=false] [--locked=true]");
    expect(log).toContain(
      `env: REGISTRATION_TOKEN sha256=${createHash("sha256").update(legacy).digest("hex")} tags=vds1,docker run_untagged=false locked=true`,
    );
    expect(shOk(`grep -c '^\\[\\[runners\\]\\]' ${CONFIG}`)).toBe("2\n");
  });

  test("gitlabRunnerRegister() refuses a runner registered with another executor", async () => {
    shOk(
      `printf '\\n[[runners]]\\n  name = "shell1"\\n  url = "https://gitlab.example.com"\\n  token = "x"\\n  executor = "shell"\\n' >> ${CONFIG}`,
    );
    const r = await runner.run(register({ name: "shell1" }));
    expect(r.message).toBe(
      "Cannot use runner shell1: it is registered with executor shell, not docker\n  hint: unregister it (gitlab-runner unregister --name shell1) to register it again with the docker executor",
    );
  });

  test("gitlabRunnerRegister() rejects a bad parameter before anything runs", () => {
    expect(() => register({ tagList: ["x"] })).toThrow(
      'Cannot use ci.gitlabRunnerRegister: parameter "tagList" cannot be used with a runner authentication token (glrt-...)',
    );
  });
});
