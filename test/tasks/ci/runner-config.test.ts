/**
 * gitlab-runner's config.toml as bosun reads and edits it, and the registration command, run by
 * this machine's /bin/sh against temp files and the stand-in `gitlab-runner` script (the same one
 * the e2e test packages into a .deb). The tasks run end to end on lab hosts in the e2e test.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stdinBytes, type Command } from "../../../lib/core/command.js";
import { secret } from "../../../lib/core/secrets.js";
import { gitlabRunnerConfig, parseRunnerConfig, parseTomlScalar } from "../../../lib/facts/gitlab-runner.js";
import { gitlabRunner, gitlabRunnerRegister } from "../../../lib/tasks/ci/index.js";
import { insertAfter, replaceLine, setConcurrent } from "../../../lib/tasks/ci/runner-config-edit.js";
import { fakeHost } from "../../support/host.js";
import { FAKE_GITLAB_RUNNER } from "../../support/stand-ins/gitlab-runner-repo.js";

const CONFIG = `concurrent = 2
check_interval = 0

[session_server]
  session_timeout = 1800

[[runners]]
  name = "vds1"
  url = "https://gitlab.example.com/"
  id = 17
  token = "glrt-SECRET-never-leaves-the-host"
  executor = "docker"
  [runners.cache]
    MaxUploadedArchiveSize = 0
  [runners.docker]
    tls_verify = false
    image = "docker:24"
    privileged = true # for dind
    volumes = ["/cache", "/certs/client"]
    [[runners.docker.services]]
      name = "docker:24-dind"
      alias = "docker"

[[runners]]
  name = 'shell-runner'
  url = "https://other.example.com"
  token = "glrt-SECRET-2"
  executor = "shell"
`;

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-runner-"));
  file = path.join(dir, "config.toml");
  writeFileSync(file, CONFIG, { mode: 0o600 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Run a command with this machine's /bin/sh (asynchronously), its stdin from the command. */
function run(command: Command, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // controller-tools: sh awk cat chmod chown cut date dirname grep hostname mkdir mktemp mv sed sha256sum (and the fake gitlab-runner this test writes)
    const child = spawn("/bin/sh", ["-c", command.text], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    // A command that reads no stdin may exit before the write: that EPIPE is not the test's concern.
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdinBytes(command) ?? "");
  });
}
const numbered = (text: string) => text.split("\n").map((l, i) => `${i + 1}:${l}`);

describe("config.toml as bosun reads it", () => {
  test("parseRunnerConfig() finds concurrent and each runner's name, url, executor, image and privileged with their lines", () => {
    const c = parseRunnerConfig(numbered(CONFIG));
    expect(c.concurrent).toEqual({ value: 2, line: 1, text: "concurrent = 2" });
    expect(c.runners).toHaveLength(2);
    expect(c.runners[0]).toMatchObject({
      line: 7,
      name: { value: "vds1", line: 8 },
      url: { value: "https://gitlab.example.com/" },
      executor: { value: "docker" },
      docker: { line: 15, text: "  [runners.docker]" },
      image: { value: "docker:24", line: 17, text: '    image = "docker:24"' },
      privileged: { value: true, line: 18 },
    });
    expect(c.runners[1]).toMatchObject({ name: { value: "shell-runner" }, executor: { value: "shell" } });
    expect(c.runners[1]?.docker).toBeUndefined();
  });

  test("parseTomlScalar() reads basic and literal strings, booleans and integers", () => {
    expect(parseTomlScalar('"a \\"q\\" \\u00e9"')).toBe('a "q" é');
    expect(parseTomlScalar("'C:\\path'")).toBe("C:\\path");
    expect(parseTomlScalar("1_000 # comment")).toBe(1000);
    expect(parseTomlScalar("false")).toBe(false);
    expect(parseTomlScalar("[1, 2]")).toBeUndefined();
  });

  test("gitlabRunnerConfig's filter prints only the lines bosun compares: a token never leaves the host", async () => {
    const r = await run(gitlabRunnerConfig.command(file));
    expect(r.stdout).not.toContain("SECRET");
    const st = gitlabRunnerConfig.parse({ ...r, durationMs: 1 }, file);
    expect(st).toMatchObject({ file: "present", concurrent: { value: 2 } });
    expect(st.runners.map((x) => x.name?.value)).toEqual(["vds1", "shell-runner"]);
    const absent = await run(gitlabRunnerConfig.command(path.join(dir, "none.toml")));
    expect(gitlabRunnerConfig.parse({ ...absent, durationMs: 1 }, "")).toMatchObject({ file: "absent", runners: [] });
  });
});

describe("config.toml line edits run by /bin/sh", () => {
  test("replaceLine() changes exactly one line, keeps the file's mode, and refuses when the line changed since the check", async () => {
    const c = parseRunnerConfig(numbered(CONFIG));
    const image = c.runners[0]!.image!;
    expect(await run(replaceLine(file, image, '    image = "docker:27 \\\\ $(x)"'))).toMatchObject({ code: 0 });
    expect(readFileSync(file, "utf8")).toBe(CONFIG.replace('image = "docker:24"', 'image = "docker:27 \\\\ $(x)"'));
    expect((statSync(file).mode & 0o777).toString(8)).toBe("600");
    const stale = await run(replaceLine(file, image, '    image = "docker:28"'));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`line 17 of ${file} changed since it was read`);
  });

  test("insertAfter() adds a line after a header and setConcurrent() replaces or adds the global concurrent", async () => {
    const c = parseRunnerConfig(numbered(CONFIG));
    expect(
      (await run(insertAfter(file, { line: c.runners[0]!.docker!.line, expected: c.runners[0]!.docker!.text, text: "    shm_size = 0" })))
        .code,
    ).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("  [runners.docker]\n    shm_size = 0\n    tls_verify = false\n");
    expect((await run(setConcurrent(file, 8))).code).toBe(0);
    expect(readFileSync(file, "utf8").split("\n").slice(0, 2)).toEqual(["concurrent = 8", "check_interval = 0"]);
    writeFileSync(file, '[[runners]]\n  name = "x"\n');
    expect((await run(setConcurrent(file, 3))).code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe('concurrent = 3\n[[runners]]\n  name = "x"\n');
  });
});

describe("gitlabRunnerRegister()'s registration against the stand-in gitlab-runner script", () => {
  async function register(params: Parameters<typeof gitlabRunnerRegister>[0]) {
    writeFileSync(path.join(dir, "gitlab-runner"), FAKE_GITLAB_RUNNER.replace("@VERSION@", "17.5.0-1"));
    chmodSync(path.join(dir, "gitlab-runner"), 0o755);
    rmSync(file);
    const seen: string[] = [];
    const { host, connection } = fakeHost({
      respond: (text) => (text.includes("@@bosun:bin") ? { stdout: "@@bosun:bin\n/usr/bin/gitlab-runner\n@@bosun:config\nabsent\n" } : {}),
    });
    const result = await host.run(gitlabRunnerRegister({ ...params, configFile: file }));
    const apply = connection.executed[1]!;
    seen.push(...connection.executed.map((c) => c.text));
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, FAKE_RUNNER_LOG: path.join(dir, "log") };
    const r = await run({ text: apply.text, stdin: apply.stdin }, env);
    return { result, r, commandTexts: seen, log: readFileSync(path.join(dir, "log"), "utf8"), config: readFileSync(file, "utf8") };
  }

  test("gitlabRunnerRegister() passes a runner token through CI_SERVER_TOKEN (stdin, never argv) and sets concurrent", async () => {
    const token = "glrt-t0k3n-Abc123Def456";
    const { result, r, commandTexts, log, config } = await register({
      url: "https://gitlab.example.com",
      token: secret(token),
      name: "vds1",
      image: "docker:27",
      privileged: true,
      volumes: ["/certs/client"],
      concurrency: 4,
    });
    expect(result.status).toBe("changed");
    expect(r).toMatchObject({ code: 0 });
    for (const text of commandTexts) expect(text).not.toContain(token);
    expect(log).toContain(
      "argv: [register] [--non-interactive] [--config] [" +
        file +
        "] [--url] [https://gitlab.example.com] [--name] [vds1] [--executor] [docker] [--docker-image] [docker:27] [--docker-privileged=true] [--docker-volumes] [/certs/client]\n",
    );
    expect(log).not.toContain(token);
    expect(config).toContain(`token = "${token}"`);
    expect(config.startsWith("concurrent = 4\n")).toBe(true);
    expect(parseRunnerConfig(numbered(config)).runners[0]).toMatchObject({
      name: { value: "vds1" },
      image: { value: "docker:27" },
      privileged: { value: true },
    });
  });

  test("gitlabRunnerRegister() passes a registration token through REGISTRATION_TOKEN with tags, run-untagged and locked", async () => {
    const token = "GR1348941abcDEF-legacy";
    const { r, log } = await register({
      url: "https://gitlab.example.com",
      token: secret(token),
      image: "alpine:3",
      tagList: ["vds1", "docker"],
      runUntagged: false,
      locked: true,
    });
    expect(r.code).toBe(0);
    expect(log).toContain("[--tag-list] [vds1,docker] [--run-untagged=false] [--locked=true]");
    expect(log).toContain("env: REGISTRATION_TOKEN sha256=");
    expect(log).not.toContain(token);
  });
});

describe("CI task parameters", () => {
  test("gitlabRunnerRegister() rejects bad parameters before anything runs, naming the parameter", () => {
    const base = { url: "https://gitlab.example.com", token: secret("glrt-xyz-123456"), image: "docker:27" };
    const bad: [Record<string, unknown>, string][] = [
      [{ url: "gitlab.example.com" }, 'parameter "url" must be an http:// or https:// URL'],
      [{ tagList: ["vds1"] }, 'parameter "tagList" cannot be used with a runner authentication token (glrt-...)'],
      [{ runUntagged: true }, 'parameter "runUntagged" cannot be used with a runner authentication token'],
      [{ token: secret("GR-legacy-0001"), tagList: ["a,b"] }, 'parameter "tagList" must be words without commas or spaces'],
      [{ concurrency: 0 }, 'parameter "concurrency" must be at least 1'],
      [{ name: 'a"b' }, 'parameter "name" cannot contain quotes'],
      [{ executor: "shell" }, 'unknown parameter "executor"'],
      [{ configFile: "config.toml" }, 'parameter "configFile" must match pattern'],
    ];
    for (const [extra, message] of bad)
      expect(() => gitlabRunnerRegister({ ...base, ...extra } as never)).toThrow(`Cannot use ci.gitlabRunnerRegister: ${message}`);
    expect(() => gitlabRunnerRegister({ url: "https://g", image: "x" } as never)).toThrow('missing required parameter "token"');
  });

  test("gitlabRunner() rejects bad parameters before anything runs, naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ version: "17.5 beta" }, 'parameter "version" must be a Debian version'],
      [{ key: "not a key" }, 'parameter "key" is not an OpenPGP public key'],
      [{ keyUrl: "packages.gitlab.com/gpgkey" }, 'parameter "keyUrl" must be an http:// or https:// URL'],
      [{ suite: "book worm" }, 'parameter "suite" must be a word'],
      [{ channel: "beta" }, 'unknown parameter "channel"'],
    ];
    for (const [p, message] of bad) expect(() => gitlabRunner(p as never)).toThrow(`Cannot use ci.gitlabRunner: ${message}`);
  });
});
