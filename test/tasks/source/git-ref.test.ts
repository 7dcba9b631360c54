/** gitCheckout's pure parts: resolving a ref from ls-remote output, parsing the state probe, params. */
import { spawnSync } from "node:child_process";
import { secret } from "../../../lib/core/secrets.js";
import { gitCheckoutState, gitPrelude, resolveRemoteRef } from "../../../lib/facts/git.js";
import { gitCheckout } from "../../../lib/tasks/source/index.js";

const A = "a".repeat(40);
const B = "b".repeat(40);
const T = "c".repeat(40);
const C = "d".repeat(40);
const REFS: [string, string][] = [
  [A, "HEAD"],
  [A, "refs/heads/main"],
  [B, "refs/heads/release"],
  [T, "refs/tags/v1"],
  [C, "refs/tags/v1^{}"],
  [B, "refs/tags/light"],
  [A, "refs/heads/feature/main"],
];

describe("resolveRemoteRef()", () => {
  test("resolveRemoteRef() finds HEAD, branches, annotated tags (peeled to their commit), light tags and full refs", () => {
    expect(resolveRemoteRef(REFS, "HEAD")).toEqual({ sha: A, fullRef: "HEAD", kind: "head" });
    expect(resolveRemoteRef(REFS, "main")).toEqual({ sha: A, fullRef: "refs/heads/main", kind: "branch" });
    expect(resolveRemoteRef(REFS, "v1")).toEqual({ sha: C, fullRef: "refs/tags/v1", kind: "tag" });
    expect(resolveRemoteRef(REFS, "light")).toEqual({ sha: B, fullRef: "refs/tags/light", kind: "tag" });
    expect(resolveRemoteRef(REFS, "refs/tags/v1")).toEqual({ sha: C, fullRef: "refs/tags/v1", kind: "tag" });
    expect(resolveRemoteRef(REFS, "refs/heads/release")).toEqual({ sha: B, fullRef: "refs/heads/release", kind: "branch" });
  });

  test("resolveRemoteRef() matches names exactly (ls-remote's patterns match suffixes) and finds nothing for an unknown ref", () => {
    expect(resolveRemoteRef([[A, "refs/heads/feature/main"]], "main")).toBeUndefined();
    expect(resolveRemoteRef(REFS, "v2")).toBeUndefined();
  });
});

describe("gitCheckoutState", () => {
  const parse = (stdout: string) => gitCheckoutState.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, { dest: "/srv/app", repo: "r" });

  test("gitCheckoutState.parse() reads a checkout with local changes and the remote refs", () => {
    const out = [
      "@@bosun:git",
      "present",
      "@@bosun:owner",
      "runuser",
      "@@bosun:dest",
      "repo",
      "deploy",
      "@@bosun:head",
      A,
      "@@bosun:origin",
      "file:///srv/git/app.git",
      "@@bosun:changes",
      " M app.conf",
      "@@bosun:remote",
      "ok",
      `${B}\trefs/heads/main`,
      "",
    ].join("\n");
    expect(parse(out)).toEqual({
      git: true,
      owner: "runuser",
      dest: "repo",
      destOwner: "deploy",
      head: { sha: A },
      origin: "file:///srv/git/app.git",
      changes: [" M app.conf"],
      remote: { refs: [[B, "refs/heads/main"]] },
    });
  });

  test("gitCheckoutState.parse() reads git's errors: a dubious checkout, an unreachable remote, no git", () => {
    const out = [
      "@@bosun:git",
      "present",
      "@@bosun:owner",
      "none",
      "@@bosun:dest",
      "repo",
      "deploy",
      "@@bosun:head",
      "fatal: detected dubious ownership in repository at '/srv/app'",
      "no commit checked out",
      "@@bosun:origin",
      "",
      "@@bosun:changes",
      "@@bosun:remote",
      "error",
      "fatal: Could not read from remote repository.",
      "",
    ].join("\n");
    expect(parse(out)).toMatchObject({
      head: { error: expect.stringContaining("dubious ownership") },
      remote: { error: "fatal: Could not read from remote repository." },
    });
    expect(parse("@@bosun:git\nmissing\n")).toMatchObject({ git: false });
    expect(parse("@@bosun:git\npresent\n@@bosun:owner\nnone\n@@bosun:dest\nabsent\n@@bosun:remote\nskip\n")).toEqual({
      git: true,
      owner: "none",
      dest: "absent",
      changes: [],
    });
  });

  test("gitCheckoutState sends a secret deploy key on stdin, never in the command line", () => {
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-s3cr3t-material\n-----END OPENSSH PRIVATE KEY-----\n";
    const cmd = gitCheckoutState.command({
      dest: "/srv/app",
      repo: "git@h:r.git",
      lsRemote: "main",
      key: { kind: "secret", value: secret(key) },
    });
    expect(cmd.text).not.toContain("key-s3cr3t-material");
    expect(cmd.stdin).toBeDefined();
    // git runs GIT_SSH_COMMAND through the shell: a key path with a space must stay one word.
    const prelude = gitPrelude({ dest: "/x", repo: "r", key: { kind: "path", path: "/home/deploy/.ssh/id ed25519" } }).text;
    // controller-tools: sh (eval and printf only)
    const words = spawnSync("/bin/sh", ["-c", `${prelude}\neval "set -- $GIT_SSH_COMMAND"; printf '[%s]' "$@"`], {
      encoding: "utf8",
    }).stdout;
    expect(words).toBe(
      "[ssh][-i][/home/deploy/.ssh/id ed25519][-o][IdentitiesOnly=yes][-o][StrictHostKeyChecking=accept-new][-o][BatchMode=yes]",
    );
  });
});

describe("gitCheckout() parameters", () => {
  test("gitCheckout() rejects bad parameters before anything runs, naming the parameter", () => {
    const base = { repo: "file:///srv/git/app.git", dest: "/srv/app" };
    const bad: [Record<string, unknown>, string][] = [
      [{ dest: "srv/app" }, 'parameter "dest" must match pattern'],
      [{ dest: "/srv/app/" }, 'parameter "dest" must be a plain absolute path'],
      [{ repo: "--upload-pack=touch /tmp/x" }, 'parameter "repo" must be a repository URL without spaces'],
      [{ ref: "-x" }, 'parameter "ref" must be a branch, tag, ref or commit sha'],
      [{ ref: "main..dev" }, 'parameter "ref" must be a branch, tag, ref or commit sha'],
      [{ depth: 0 }, 'parameter "depth" must be at least 1'],
      [
        { deployKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
        'parameter "deployKey" must be a Secret (the key itself) or an absolute path on the host',
      ],
      [{ owner: "bad owner" }, 'parameter "owner" must match pattern'],
      [{ version: "main" }, 'unknown parameter "version"'],
    ];
    for (const [extra, message] of bad)
      expect(() => gitCheckout({ ...base, ...extra } as never)).toThrow(`Cannot use source.gitCheckout: ${message}`);
  });
});
