/**
 * Access tasks on a lab host over real SSH. One host, in order: groups, users, keys, sudoers, sshd.
 * Every check of the host uses plain ssh (as root, as the deploy user, by key, by password).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openHost } from "../../../lib/run/standalone.js";
import { TaskFailedError } from "../../../lib/run/host.js";
import { secret } from "../../../lib/core/secrets.js";
import { runProcess } from "../../../lib/lab/process.js";
import { authorizedKey, ensureGroup, ensureUser, reloadSshd, sshdConfig, sudoers } from "../../../lib/tasks/access/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { labTarget, expectConverges, sshRun, TaskRunner, type LabTarget } from "../../e2e/task-harness.js";
import { keyLogin, passwordLogin } from "./ssh-login.js";

const lab = useLab({ name: "t-access" });
const SLOW = 120_000;
/** `openssl passwd -6 -salt bosunsalt 'Secret123!'` */
const PASSWORD = "Secret123!";
const HASH = "$6$bosunsalt$75cMuWQOLeGLKRjeUzwdvD1nx4jLQ4hBLs..etgylx.2MaA2nP.bR6SLQi3.52N0yVni8pV8teWDX7WTXs0AF1";

let target: LabTarget;
let runner: TaskRunner;
let labKey: string;
let otherKey: string;
let keyDir: string;
beforeAll(async () => {
  const info = lab();
  target = labTarget(info);
  runner = new TaskRunner(target);
  labKey = readFileSync(`${info.keyPath}.pub`, "utf8");
  keyDir = mkdtempSync(path.join(tmpdir(), "bosun-access-keys-"));
  await runProcess(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "other@test", "-f", path.join(keyDir, "other")]);
  otherKey = readFileSync(path.join(keyDir, "other.pub"), "utf8");
}, SLOW);
afterAll(async () => {
  await runner?.close();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

const sh = (command: string): string => {
  const r = runner.sh(command);
  return `${r.stdout}${r.stderr}`;
};
const asDeploy = (command: string) => sshRun(target, command, undefined, "deploy");
const sighups = (): number => Number(runner.sh("journalctl -q -u ssh -o cat | grep -c 'Received SIGHUP'").stdout.trim());

test("bad params are rejected before anything runs, naming the task and the parameter", () => {
  const before = runner.commands.length;
  expect(() => ensureGroup({ name: "g", gid: "x" as never })).toThrow(/Cannot use access.ensureGroup: .*gid/);
  expect(() => ensureUser({ name: "deploy", password: "Secret123!" })).toThrow(
    /Cannot use access.ensureUser: parameter "password" must be a crypt\(3\) hash/,
  );
  expect(() => authorizedKey({ user: "deploy", key: "not a key" })).toThrow(/Cannot use access.authorizedKey: parameter "key" is invalid/);
  expect(() => sudoers({ name: "deploy", user: "deploy", commands: "reboot" })).toThrow(/Cannot use access.sudoers: parameter "commands"/);
  expect(() => sshdConfig({ name: "00-x", settings: { Match: "User root" } })).toThrow(
    /Cannot use access.sshdConfig: parameter "settings" cannot hold "Match"/,
  );
  expect(() => reloadSshd({ servce: "ssh" } as never)).toThrow(/Cannot use access.reloadSshd: unknown parameter "servce"/);
  expect(runner.commands.length).toBe(before);
});

describe("groups and users", () => {
  test(
    "ensureGroup() creates a group with a gid, moves the gid, and removes a group",
    async () => {
      const state = () => sh("getent group deployers");
      await expectConverges(runner, ensureGroup({ name: "deployers", gid: 2500 }), state);
      expect(state()).toBe("deployers:x:2500:\n");
      await expectConverges(runner, ensureGroup({ name: "deployers", gid: 2600 }), state);
      expect(state()).toBe("deployers:x:2600:\n");
      sh("groupadd oldgroup");
      await expectConverges(runner, ensureGroup({ name: "oldgroup", state: "absent" }), () => sh("getent group oldgroup; echo rc=$?"));
      expect(sh("getent group oldgroup; echo rc=$?")).toBe("rc=2\n");
    },
    SLOW,
  );

  test(
    "ensureUser() creates a user with shell, comment, groups and a home from /etc/skel",
    async () => {
      const state = () => sh("getent passwd deploy; id -nG deploy; stat -c '%U %G' /home/deploy; ls -A /home/deploy");
      await expectConverges(
        runner,
        ensureUser({ name: "deploy", shell: "/bin/bash", comment: "Deploy user", groups: ["deployers"] }),
        state,
      );
      expect(state()).toMatch(/^deploy:x:(\d+):(\d+):Deploy user:\/home\/deploy:\/bin\/bash\ndeploy deployers\ndeploy deploy\n.*\.bashrc/s);
    },
    SLOW,
  );

  test(
    "ensureUser() appends groups by default and sets exactly the groups with append: false",
    async () => {
      const state = () => sh("id -nG deploy | tr ' ' '\\n' | sort | tr '\\n' ' '");
      await expectConverges(runner, ensureUser({ name: "deploy", groups: ["adm"] }), state);
      expect(state()).toBe("adm deploy deployers ");
      await expectConverges(runner, ensureUser({ name: "deploy", groups: ["adm"], append: false }), state);
      expect(state()).toBe("adm deploy ");
    },
    SLOW,
  );

  test(
    "ensureUser() sets a password hash through stdin, and the user then logs in with the password",
    async () => {
      expect(passwordLogin(target, "deploy", PASSWORD).code).toBe(255);
      const state = () => sh("getent shadow deploy | cut -d: -f2");
      const { applied } = await expectConverges(runner, ensureUser({ name: "deploy", password: secret(HASH) }), state);
      expect(state()).toBe(`${HASH}\n`);
      expect(JSON.stringify(applied)).not.toContain(HASH);
      expect(runner.commands.join("\n")).not.toContain(HASH);
      expect(passwordLogin(target, "deploy", PASSWORD)).toMatchObject({ code: 0, stdout: "deploy\n" });
    },
    SLOW,
  );

  test(
    "ensureUser() removes a user and its home",
    async () => {
      sh("useradd -m olduser");
      const state = () => sh("getent passwd olduser; ls -d /home/olduser 2>/dev/null; echo end");
      await expectConverges(runner, ensureUser({ name: "olduser", state: "absent", removeHome: true }), state);
      expect(state()).toBe("end\n");
    },
    SLOW,
  );

  test(
    "ensureUser() fails before changing anything when a group is missing",
    async () => {
      const r = await runner.run(ensureUser({ name: "ghost", groups: ["nosuchgroup"] }));
      expect(r).toMatchObject({ status: "failed", commands: 1 });
      expect(r.message).toMatch(
        /Cannot ensure user "ghost": group "nosuchgroup" does not exist\n\s+hint: create it first with ensureGroup/,
      );
      expect(sh("getent passwd ghost; echo rc=$?")).toBe("rc=2\n");
    },
    SLOW,
  );
});

describe("authorized keys", () => {
  const state = () =>
    sh("stat -c '%a %U %G %n' /home/deploy/.ssh /home/deploy/.ssh/authorized_keys 2>&1; cat /home/deploy/.ssh/authorized_keys 2>&1");

  test(
    "authorizedKey() installs a key (.ssh 0700, file 0600, owned by the user) and the user logs in with it",
    async () => {
      expect(keyLogin(target, "deploy").code).toBe(255);
      await expectConverges(runner, authorizedKey({ user: "deploy", key: labKey }), state);
      expect(state()).toBe(`700 deploy deploy /home/deploy/.ssh\n600 deploy deploy /home/deploy/.ssh/authorized_keys\n${labKey}`);
      expect(keyLogin(target, "deploy")).toMatchObject({ code: 0, stdout: "deploy\n" });
    },
    SLOW,
  );

  test(
    "authorizedKey() adds a second key, removes it with state absent, and exclusive drops keys added by hand",
    async () => {
      await expectConverges(runner, authorizedKey({ user: "deploy", key: otherKey }), state);
      expect(sh("cat /home/deploy/.ssh/authorized_keys")).toBe(`${labKey}${otherKey}`);
      await expectConverges(runner, authorizedKey({ user: "deploy", key: otherKey, state: "absent" }), state);
      expect(sh("cat /home/deploy/.ssh/authorized_keys")).toBe(labKey);
      sh(`printf '# by hand\\n%s' '${otherKey}' >> /home/deploy/.ssh/authorized_keys`);
      await expectConverges(runner, authorizedKey({ user: "deploy", key: labKey, exclusive: true }), state);
      expect(sh("cat /home/deploy/.ssh/authorized_keys")).toBe(labKey);
      expect(keyLogin(target, "deploy").code).toBe(0);
    },
    SLOW,
  );

  test(
    "authorizedKey() puts options before a key and fixes a loose mode",
    async () => {
      sh("chmod 0644 /home/deploy/.ssh/authorized_keys");
      await expectConverges(runner, authorizedKey({ user: "deploy", key: labKey, options: "no-port-forwarding" }), state);
      expect(sh("stat -c %a /home/deploy/.ssh/authorized_keys; cat /home/deploy/.ssh/authorized_keys")).toBe(
        `600\nno-port-forwarding ${labKey}`,
      );
      await runner.run(authorizedKey({ user: "deploy", key: labKey }));
      expect(sh("cat /home/deploy/.ssh/authorized_keys")).toBe(labKey);
    },
    SLOW,
  );
});

describe("sudoers", () => {
  const state = () => sh("stat -c '%a %U %G' /etc/sudoers.d/deploy 2>&1; cat /etc/sudoers.d/deploy 2>&1");

  test(
    "sudoers() installs a NOPASSWD drop-in (0440) and the user can then `sudo -n true`",
    async () => {
      expect(asDeploy("sudo -n true")).toMatchObject({ code: 1, stderr: expect.stringMatching(/a password is required/) });
      await expectConverges(runner, sudoers({ name: "deploy", user: "deploy", nopasswd: true }), state);
      expect(state()).toMatch(/^440 root root\n# Managed by bosun.*\ndeploy ALL=\(ALL:ALL\) NOPASSWD: ALL\n$/s);
      expect(asDeploy("sudo -n true && sudo -n id -un")).toMatchObject({ code: 0, stdout: "root\n" });
    },
    SLOW,
  );

  test(
    "sudoers() rejects invalid content with visudo's message and keeps the old file",
    async () => {
      const before = sh("sha256sum /etc/sudoers.d/deploy");
      const r = await runner.run(sudoers({ name: "deploy", content: "deploy ALL=(ALL NOPASSWD ALL\n" }));
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/syntax error/);
      expect(r.message).toMatch(/visudo rejected the new content of \/etc\/sudoers.d\/deploy; the old file is kept/);
      expect(sh("sha256sum /etc/sudoers.d/deploy")).toBe(before);
      expect(sh("ls -A /etc/sudoers.d")).not.toMatch(/\.bosun\./);
      expect(asDeploy("sudo -n true").code).toBe(0);
    },
    SLOW,
  );

  test(
    "sudoers() removes a drop-in with state absent",
    async () => {
      sh("printf 'deploy ALL=(ALL) /bin/true\\n' > /etc/sudoers.d/old && chmod 0440 /etc/sudoers.d/old");
      await expectConverges(runner, sudoers({ name: "old", state: "absent" }), () => sh("ls /etc/sudoers.d"));
      expect(sh("ls /etc/sudoers.d")).toBe("README\ndeploy\n");
    },
    SLOW,
  );
});

describe("sshd drop-ins", () => {
  const HARDENING = { PermitRootLogin: "prohibit-password", PasswordAuthentication: false, KbdInteractiveAuthentication: false } as const;
  const dropIns = () => sh("ls -A /etc/ssh/sshd_config.d; echo end");

  test(
    "the lock-out guard refuses PermitRootLogin no for a root session, naming the user that could log in instead",
    async () => {
      const r = await runner.run(sshdConfig({ name: "00-root", settings: { PermitRootLogin: "no" } }));
      expect(r).toMatchObject({ status: "failed", commands: 1 });
      expect(r.message).toMatch(
        /Cannot apply \/etc\/ssh\/sshd_config.d\/00-root.conf: root \(this session's user\) could no longer log in over SSH: PermitRootLogin no/,
      );
      expect(r.message).toMatch(/hint: log in as deploy \(authorized key and sudo\) and run again, or set allowRootLockout: true/);
      expect(dropIns()).toBe("end\n");
      const allowed = await runner.run(sshdConfig({ name: "00-root", settings: { PermitRootLogin: "no" }, allowRootLockout: true }), {
        check: true,
      });
      expect(allowed).toMatchObject({ status: "changed", message: expect.stringContaining("log in as deploy from now on") });
      expect(dropIns()).toBe("end\n");
    },
    SLOW,
  );

  test(
    "the lock-out guard refuses to turn passwords off for a session that logged in with a password",
    async () => {
      const host = await openHost({
        name: target.name,
        host: "127.0.0.1",
        port: target.sshPort,
        user: "deploy",
        password: PASSWORD,
        knownHostsPath: target.knownHostsPath,
        sudo: true,
      });
      try {
        const error = await host.run(sshdConfig({ name: "00-hardening", settings: HARDENING })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TaskFailedError);
        expect((error as TaskFailedError).message).toMatch(
          /deploy \(this session's user\) could no longer log in over SSH: this session logged in by password, and password login would no longer work/,
        );
      } finally {
        await host.close();
      }
      expect(sh("journalctl -q -u ssh -o cat | grep -c 'Accepted password for deploy'")).not.toBe("0\n");
      expect(dropIns()).toBe("end\n");
    },
    SLOW,
  );

  test(
    "sshdConfig() refuses an unknown keyword with sshd -t's message and writes nothing",
    async () => {
      const r = await runner.run(sshdConfig({ name: "00-bad", settings: { PasswordAuthentiction: "no" } }));
      expect(r.message).toMatch(/sshd -t rejects the configuration with it:\n.*Bad configuration option: PasswordAuthentiction/);
      expect(dropIns()).toBe("end\n");
    },
    SLOW,
  );

  test(
    "sshdConfig() with PasswordAuthentication no: password login is refused, key login works, sshd reloaded once",
    async () => {
      expect(passwordLogin(target, "deploy", PASSWORD).code).toBe(0);
      const reloads = sighups();
      const state = () =>
        sh("cat /etc/ssh/sshd_config.d/00-hardening.conf 2>&1; stat -c '%a %U' /etc/ssh/sshd_config.d/00-hardening.conf 2>&1");
      const { applied } = await expectConverges(runner, sshdConfig({ name: "00-hardening", settings: HARDENING }), state);
      expect(applied.message).toMatch(/passwordauthentication yes → no/);
      expect(sighups()).toBe(reloads + 1);
      expect(
        sh(
          "sshd -T -C user=deploy,host=h,addr=127.0.0.1 | grep -E '^(passwordauthentication|kbdinteractiveauthentication|permitrootlogin) '",
        ),
      ).toBe("permitrootlogin without-password\npasswordauthentication no\nkbdinteractiveauthentication no\n");
      const refused = passwordLogin(target, "deploy", PASSWORD);
      expect(refused.code).toBe(255);
      expect(refused.stderr).toMatch(/Permission denied \(publickey\)/);
      expect(keyLogin(target, "deploy")).toMatchObject({ code: 0, stdout: "deploy\n" });
      expect(runner.sh("id -un")).toMatchObject({ code: 0, stdout: "root\n" });
    },
    SLOW,
  );

  test(
    "sshdConfig() refuses a setting that an earlier drop-in overrides",
    async () => {
      const r = await runner.run(sshdConfig({ name: "50-late", settings: { PasswordAuthentication: true } }));
      expect(r.message).toMatch(/sshd would use PasswordAuthentication "no", not "yes".*\n.*read before this one: 00-hardening.conf/);
      expect(dropIns()).toBe("00-hardening.conf\nend\n");
    },
    SLOW,
  );

  test(
    "reloadSshd() reloads sshd after checking the configuration",
    async () => {
      const reloads = sighups();
      expect(await runner.run(reloadSshd({}))).toMatchObject({ status: "changed", commands: 1 });
      expect(sighups()).toBe(reloads + 1);
    },
    SLOW,
  );

  test(
    "sshdConfig() with state absent removes the drop-in and password login works again",
    async () => {
      await expectConverges(runner, sshdConfig({ name: "00-hardening", state: "absent" }), dropIns);
      expect(dropIns()).toBe("end\n");
      expect(passwordLogin(target, "deploy", PASSWORD)).toMatchObject({ code: 0, stdout: "deploy\n" });
    },
    SLOW,
  );
});
