/**
 * The ci-secrets playbook against local stand-ins for the GitHub secrets API and GitLab's project
 * variables API (both unreachable here). The stand-ins check what the real APIs check: the GitHub
 * one holds a real X25519 key pair, so the sealed box must open with the repository's key; the
 * GitLab one refuses a masked value GitLab could not mask and records the flags (the stand-ins
 * and the tasks, githubSecret with stateFile and gitlabVariable, are the library's). Runs on the
 * controller (the playbook never contacts the hosts).
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunReport } from "../../lib/core/report.js";
import { inventoryFromHosts } from "../../lib/inventory/index.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { ciSecrets } from "../../playbooks/ci-secrets/playbook.js";
import { startGithubStandIn, type GithubStandIn } from "../support/stand-ins/github.js";
import { startGitlabStandIn, type GitlabStandIn } from "../support/stand-ins/gitlab.js";

const GH_TOKEN = "ghp_standInToken0123456789";
const GL_TOKEN = "glpat-standInToken-0123";
const KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n";
const HOST_KEY = "[203.0.113.10]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

let dir: string;
let github: GithubStandIn;
let gitlab: GitlabStandIn;
let keyFile: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-ci-secrets-"));
  keyFile = path.join(dir, "deploy_key");
  writeFileSync(keyFile, KEY, { mode: 0o600 });
  writeFileSync(path.join(dir, "known_hosts"), `other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJunk\n${HOST_KEY}\n`);
  github = await startGithubStandIn(GH_TOKEN, ["acme/cfa"]);
  gitlab = await startGitlabStandIn(GL_TOKEN, { "acme/cfa": 4242 });
});
afterAll(async () => {
  await github?.close();
  await gitlab?.close();
  rmSync(dir, { recursive: true, force: true });
});

const inventory = () =>
  inventoryFromHosts({
    cfa2: {
      ansible_host: "203.0.113.10",
      ansible_port: 2222,
      deploy_user: "deploy",
      bosun_known_hosts: path.join(dir, "known_hosts"),
      ci_secrets: {
        github: { repo: "acme/cfa", token: GH_TOKEN, api_base: github.apiBase },
        gitlab: { project: "acme/cfa", token: GL_TOKEN, api_base: gitlab.apiBase },
        private_key_file: keyFile,
        state_file: path.join(dir, "state", "github-secrets.json"),
      },
    },
  });
const run = (check = false): Promise<RunReport> => runPlaybook(ciSecrets, { inventory: inventory(), check });
const changedTitles = (r: RunReport) =>
  r.plays
    .flatMap((p) => p.results)
    .filter((x) => x.changed)
    .map((x) => x.title);
const writes = () => [...github.requests, ...gitlab.requests].filter((r) => r.method !== "GET").length;

test("--check sets nothing and reports what it would set", async () => {
  const report = await run(true);
  expect(report.hostErrors).toEqual({});
  expect(changedTitles(report)).toContain("GitHub secret BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa");
  expect(changedTitles(report)).toContain("GitLab variable BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa");
  expect(writes()).toBe(0);
});

test("sets the four values in both; the sealed boxes open with the repository's key; GitLab's key is masked and protected; a second run changes nothing", async () => {
  const first = await run();
  expect(first.hostErrors).toEqual({});
  expect(first.exitCode).toBe(0);
  const opened = (name: string) => github.open(github.secrets.get(`acme/cfa/${name}`)!.encryptedValue);
  expect(opened("DEPLOY_HOST")).toBe("203.0.113.10");
  expect(opened("DEPLOY_USER")).toBe("deploy");
  expect(Buffer.from(opened("BOSUN_SSH_PRIVATE_KEY_B64"), "base64").toString()).toBe(KEY);
  expect(opened("BOSUN_SSH_KNOWN_HOSTS")).toBe(`${HOST_KEY}\n`);
  const variable = (key: string) => gitlab.variable("acme/cfa", key);
  expect(variable("BOSUN_SSH_PRIVATE_KEY_B64")).toMatchObject({ masked: true, protected: true, variable_type: "env_var" });
  expect(Buffer.from(variable("BOSUN_SSH_PRIVATE_KEY_B64")!.value, "base64").toString()).toBe(KEY);
  expect(variable("BOSUN_SSH_KNOWN_HOSTS")).toMatchObject({
    value: `${HOST_KEY}\n`,
    protected: true,
    masked: false,
    variable_type: "file",
  });
  expect(variable("DEPLOY_HOST")).toMatchObject({ value: "203.0.113.10", protected: true });
  const output = JSON.stringify(first);
  expect(output).not.toContain(GH_TOKEN);
  expect(output).not.toContain(GL_TOKEN);
  expect(output).not.toContain(Buffer.from(KEY).toString("base64").slice(0, 40));

  const second = await run();
  expect(second.hostErrors).toEqual({});
  expect(changedTitles(second)).toEqual([]);
});

test("a new key changes only the key, in both; a secret set outside bosun is set again", async () => {
  writeFileSync(keyFile, KEY.replace("AAAAMw", "AAAANw"), { mode: 0o600 });
  const rotated = await run();
  expect(changedTitles(rotated)).toEqual([
    "GitHub secret BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa",
    "GitLab variable BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa",
  ]);
  // Someone sets DEPLOY_USER by hand in GitHub's settings: its updated_at moves.
  const user = github.secrets.get("acme/cfa/DEPLOY_USER")!;
  github.secrets.set("acme/cfa/DEPLOY_USER", { ...user, updatedAt: new Date(Date.parse(user.updatedAt) + 60_000).toISOString() });
  const again = await run();
  expect(changedTitles(again)).toEqual(["GitHub secret DEPLOY_USER in acme/cfa"]);
  expect(readFileSync(path.join(dir, "state", "github-secrets.json"), "utf8")).not.toContain(
    Buffer.from(KEY).toString("base64").slice(0, 40),
  );
});

test("a host without ci_secrets is left alone, and a bad ci_secrets names the variable", async () => {
  const quiet = await runPlaybook(ciSecrets, { inventory: inventoryFromHosts({ web1: {} }) });
  expect(quiet.hostErrors).toEqual({});
  const bad = await runPlaybook(ciSecrets, {
    inventory: inventoryFromHosts({ web1: { ci_secrets: { github: { repo: "acme/cfa", token: "t" } } } }),
  });
  expect(bad.hostErrors.web1).toMatch(/Cannot set CI secrets: ci_secrets.private_key_file is not set/);
});
