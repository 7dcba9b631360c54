/**
 * gitCheckout on a lab host over real SSH, against a bare repository on the host itself (no
 * internet): by file:// URL, and over ssh as a `git` user with a deploy key.
 */
import { secret } from "../../../lib/core/secrets.js";
import { gitCheckout } from "../../../lib/tasks/source/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { labTarget, expectConverges, TaskRunner } from "../../e2e/task-harness.js";
import { aptSetupInstall } from "../../e2e/apt-setup.js";

const lab = useLab({ name: "t-source", count: 1 });
const REPO = "file:///srv/git/app.git";
const SSH_REPO = "git@127.0.0.1:/srv/git/app.git";
let runner: TaskRunner;
let raw: string[];
let deployKey: string;
let first: string;
let tagged: string;

function shOk(command: string): string {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`${command}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}
/** Commit a change to `f` and push it, as the repository's owner; returns the new commit. */
function push(content: string): string {
  return shOk(
    `runuser -u git -- sh -c 'cd ~/work && echo ${content} > f && git commit -qam ${content} && git push -q origin main && git rev-parse HEAD'`,
  ).trim();
}
const state = (dest: string) => () => runner.sh(`git -C ${dest} rev-parse HEAD 2>&1; cat ${dest}/f 2>&1; stat -c %U ${dest} 2>&1`).stdout;

beforeAll(async () => {
  const info = lab();
  runner = new TaskRunner(labTarget(info));
  raw = [];
  const exec = runner.connection.exec.bind(runner.connection);
  runner.connection.exec = (c) => {
    raw.push(c.text);
    return exec(c);
  };
  shOk(aptSetupInstall("git"));
  // The "server": user git owns a bare repository, readable by the host's other users through file:// too.
  shOk(`useradd -m -s /bin/sh git && useradd -m -s /bin/bash deploy
git config --system --add safe.directory /srv/git/app.git
mkdir -p /srv/git && chown git: /srv/git
runuser -u git -- sh -c 'git init -q --bare -b main /srv/git/app.git && git clone -q /srv/git/app.git ~/work 2>/dev/null && cd ~/work && git config user.email t@lab && git config user.name t && echo one > f && git add f && git commit -qm one && git tag -a v1 -m v1 && git push -q origin main --tags'
ssh-keygen -q -t ed25519 -N '' -C deploy-key -f /root/dk && install -d -o git -m 700 ~git/.ssh && install -o git -m 600 /root/dk.pub ~git/.ssh/authorized_keys`);
  deployKey = shOk("cat /root/dk && rm /root/dk /root/dk.pub");
  first = shOk("runuser -u git -- git -C ~git/work rev-parse HEAD").trim();
  tagged = first;
}, 300_000);
afterAll(async () => {
  await runner?.close();
});

describe("gitCheckout() on a lab host", () => {
  test("gitCheckout() clones a branch: --check leaves the host untouched, apply clones, a second run is ok in one command", async () => {
    const { applied } = await expectConverges(runner, gitCheckout({ repo: REPO, dest: "/srv/app", ref: "main" }), state("/srv/app"));
    expect(state("/srv/app")()).toBe(`${first}\none\nroot\n`);
    expect(applied.output).toEqual({ after: first });
    expect(shOk("git -C /srv/app symbolic-ref --short HEAD")).toBe("main\n");
  });

  test("gitCheckout() only changes when the ref moves", async () => {
    const call = gitCheckout({ repo: REPO, dest: "/srv/app", ref: "main" });
    expect((await runner.run(call)).status).toBe("ok");
    const second = push("two");
    const checked = await runner.run(call, { check: true });
    expect(checked).toMatchObject({
      status: "changed",
      message: `move /srv/app from ${first.slice(0, 12)} to main (${second.slice(0, 12)})`,
    });
    expect(state("/srv/app")()).toBe(`${first}\none\nroot\n`);
    const applied = await runner.run(call);
    expect(applied).toMatchObject({ status: "changed", commands: 2, output: { before: first, after: second } });
    expect(applied.diff).toContain(`-${first}\n+${second}`);
    expect(state("/srv/app")()).toBe(`${second}\ntwo\nroot\n`);
    expect(await runner.run(call)).toMatchObject({ status: "ok", commands: 1 });
  });

  test("gitCheckout() checks out an annotated tag at its commit, then a commit by sha", async () => {
    const tag = gitCheckout({ repo: REPO, dest: "/srv/app", ref: "v1" });
    expect((await runner.run(tag)).output?.after).toBe(tagged);
    expect(shOk("git -C /srv/app rev-parse HEAD").trim()).toBe(tagged);
    expect(await runner.run(tag)).toMatchObject({ status: "ok", commands: 1 });
    const head = push("three");
    const bySha = gitCheckout({ repo: REPO, dest: "/srv/app", ref: head });
    expect(await runner.run(bySha)).toMatchObject({ status: "changed", output: { before: tagged, after: head } });
    expect(shOk("cat /srv/app/f")).toBe("three\n");
    expect(await runner.run(bySha)).toMatchObject({ status: "ok", commands: 1 });
  });

  test("gitCheckout() makes a shallow clone with depth", async () => {
    await expectConverges(runner, gitCheckout({ repo: REPO, dest: "/srv/shallow", depth: 1 }), state("/srv/shallow"));
    expect(shOk("git -C /srv/shallow rev-list --count HEAD; git -C /srv/shallow rev-parse --is-shallow-repository")).toBe("1\ntrue\n");
  });

  test("gitCheckout() clones over ssh with a deploy key as its owner; the key only ever travels on stdin and is removed", async () => {
    const before = raw.length;
    const call = gitCheckout({ repo: SSH_REPO, dest: "/srv/bundle", ref: "main", deployKey: secret(deployKey), owner: "deploy" });
    await expectConverges(runner, call, state("/srv/bundle"));
    expect(shOk("stat -c %U:%G /srv/bundle /srv/bundle/f /srv/bundle/.git/HEAD")).toBe("deploy:deploy\ndeploy:deploy\ndeploy:deploy\n");
    expect(shOk("runuser -u deploy -- git -C /srv/bundle log -1 --format=%s")).toBe("three\n");
    expect(shOk("ls /tmp; echo end")).not.toContain("bosun-key");
    // StrictHostKeyChecking=accept-new recorded the server's key (hashed) for the owner.
    expect(runner.sh("ssh-keygen -F 127.0.0.1 -f ~deploy/.ssh/known_hosts").code).toBe(0);
    const body = deployKey.split("\n")[1]!;
    expect(raw.slice(before).join("\n")).not.toContain(body);
    expect(JSON.stringify(runner.commands)).not.toContain(body);
  });

  test("gitCheckout() without the deploy key fails with git's own reason and a hint", async () => {
    const r = await runner.run(gitCheckout({ repo: SSH_REPO, dest: "/srv/nokey", owner: "deploy" }));
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(/^Cannot read HEAD of git@127\.0\.0\.1:\/srv\/git\/app\.git: .*Permission denied/s);
    expect(r.message).toContain("hint: check the URL, the deploy key");
    expect(runner.sh("test -e /srv/nokey").code).toBe(1);
  });

  test("gitCheckout() refuses to move a checkout with local changes unless force", async () => {
    const call = gitCheckout({ repo: REPO, dest: "/srv/app", ref: "main" });
    shOk("echo edited > /srv/app/f");
    push("four");
    const r = await runner.run(call);
    expect(r.message).toMatch(
      /^Cannot move \/srv\/app to main: it has local changes \(M f\)\n {2}hint: commit or discard them on the host, or set force: true/,
    );
    expect(shOk("cat /srv/app/f")).toBe("edited\n");
    const forced = await runner.run(gitCheckout({ repo: REPO, dest: "/srv/app", ref: "main", force: true }));
    expect(forced.status).toBe("changed");
    expect(shOk("cat /srv/app/f; git -C /srv/app status --porcelain")).toBe("four\n");
  });

  test("gitCheckout() refuses a directory that is not a checkout of this repository", async () => {
    shOk("mkdir -p /srv/other && echo x > /srv/other/file");
    expect((await runner.run(gitCheckout({ repo: REPO, dest: "/srv/other" }))).message).toBe(
      "Cannot check out file:///srv/git/app.git into /srv/other: /srv/other is a non-empty directory that is not a git checkout\n  hint: move its files away, or choose another dest",
    );
    expect((await runner.run(gitCheckout({ repo: "file:///srv/git/else.git", dest: "/srv/app" }))).message).toContain(
      "Cannot check out file:///srv/git/else.git into /srv/app: it is a clone of file:///srv/git/app.git",
    );
  });

  test("gitCheckout() hands an existing checkout to its owner without touching its local changes", async () => {
    shOk("echo local-edit > /srv/app/f");
    const call = gitCheckout({ repo: REPO, dest: "/srv/app", ref: "main", owner: "deploy" });
    expect(await runner.run(call)).toMatchObject({ status: "changed", message: "give /srv/app to deploy" });
    expect(shOk("stat -c %U /srv/app /srv/app/f /srv/app/.git/index; cat /srv/app/f")).toBe("deploy\ndeploy\ndeploy\nlocal-edit\n");
    expect(await runner.run(call)).toMatchObject({ status: "ok", commands: 1 });
  });

  test("gitCheckout() rejects a bad parameter before anything runs", () => {
    expect(() => gitCheckout({ repo: REPO, dest: "relative/dir" })).toThrow(
      'Cannot use source.gitCheckout: parameter "dest" must match pattern',
    );
  });
});
