/**
 * Role ssh-hardening on a lab host that has a deploy user: root by key only, no password login,
 * reloaded at once or by the play's handler, and root locked out only when asked and safe.
 */
import { readFileSync } from "node:fs";
import { openHost, type OpenHostOptions, type OpenedHost } from "../../lib/run/standalone.js";
import type { TaskResult } from "../../lib/core/task.js";
import { deployUserRole } from "../../roles/deploy-user/index.js";
import { RELOAD_SSH, sshHandlers, sshHardeningRole, type SshHardeningRoleInput } from "../../roles/ssh-hardening/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { sshRun, type LabTarget } from "../e2e/task-harness.js";
import { keyLogin, passwordLogin } from "../tasks/access/ssh-login.js";

const lab = useLab({ name: "t-ssh-hardening" });
const SLOW = 120_000;
/** `openssl passwd -6 -salt bosunsalt 'Secret123!'` */
const HASH = "$6$bosunsalt$75cMuWQOLeGLKRjeUzwdvD1nx4jLQ4hBLs..etgylx.2MaA2nP.bR6SLQi3.52N0yVni8pV8teWDX7WTXs0AF1";

let target: LabTarget;
beforeAll(async () => {
  const info = lab();
  const h = info.hosts[0]!;
  target = { name: h.name, sshPort: h.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
  const host = await connect("root");
  try {
    await deployUserRole(host, { authorizedKeys: readFileSync(`${info.keyPath}.pub`, "utf8") });
  } finally {
    await host.close();
  }
  root(`useradd -m -s /bin/sh alice && usermod -p '${HASH}' alice`);
}, SLOW);

function connect(user: string, options: OpenHostOptions = {}): Promise<OpenedHost> {
  return openHost(
    {
      name: target.name,
      host: "127.0.0.1",
      port: target.sshPort,
      user,
      privateKeyPath: target.keyPath,
      knownHostsPath: target.knownHostsPath,
      sudo: user !== "root",
    },
    options,
  );
}
async function run(options: SshHardeningRoleInput = {}, check = false): Promise<readonly TaskResult[]> {
  const host = await connect("root", { check });
  try {
    return await sshHardeningRole(host, options);
  } finally {
    await host.close();
  }
}
const root = (command: string): string => {
  const r = sshRun(target, command);
  return `${r.stdout}${r.stderr}`;
};
const effective = () =>
  root(
    "sshd -T -C user=alice,host=h,addr=127.0.0.1 | grep -E '^(permitrootlogin|passwordauthentication|kbdinteractiveauthentication|permitemptypasswords|maxauthtries) ' | sort",
  );
const sighups = (): number => Number(root("journalctl -q -u ssh -o cat | grep -c 'Received SIGHUP'").trim());

test(
  "sshHardening() in check mode reports the change and writes nothing",
  async () => {
    const results = await run({}, true);
    expect(results.map((r) => r.status)).toEqual(["changed"]);
    expect(root("ls -A /etc/ssh/sshd_config.d; echo end")).toBe("end\n");
    expect(passwordLogin(target, "alice", "Secret123!")).toMatchObject({ code: 0, stdout: "alice\n" });
  },
  SLOW,
);

test(
  "sshHardening() turns password login off and keeps key login for root and deploy; a second run changes nothing",
  async () => {
    const [applied] = await run();
    expect(applied).toMatchObject({ status: "changed", commands: 2 });
    expect(effective()).toBe(
      "kbdinteractiveauthentication no\nmaxauthtries 6\npasswordauthentication no\npermitemptypasswords no\npermitrootlogin without-password\n",
    );
    expect(passwordLogin(target, "alice", "Secret123!")).toMatchObject({
      code: 255,
      stderr: expect.stringMatching(/Permission denied \(publickey\)/),
    });
    expect(keyLogin(target, "root")).toMatchObject({ code: 0, stdout: "root\n" });
    expect(keyLogin(target, "deploy", "sudo -n id -un")).toMatchObject({ code: 0, stdout: "root\n" });
    const again = await run();
    expect(again.map((r) => `${r.status} ${r.commands}`)).toEqual(["ok 1"]);
  },
  SLOW,
);

test(
  "sshHardening() with a handler reloads sshd only when the play flushes its handlers",
  async () => {
    const host = await connect("deploy", { handlers: { ...sshHandlers } });
    try {
      const reloads = sighups();
      const [result] = await sshHardeningRole(host, { handler: RELOAD_SSH, settings: { MaxAuthTries: 3 } });
      expect(result).toMatchObject({ status: "changed", commands: 2 });
      expect(sighups()).toBe(reloads);
      await host.flushHandlers();
      expect(sighups()).toBe(reloads + 1);
    } finally {
      await host.close();
    }
    expect(effective()).toMatch(/^maxauthtries 3$/m);
  },
  SLOW,
);

test(
  "sshHardening() refuses PermitRootLogin no in a root session, and applies it with allowRootLockout while deploy keeps sudo",
  async () => {
    const refused = await run({ permitRootLogin: "no", settings: { MaxAuthTries: 3 } }).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/root \(this session's user\) could no longer log in over SSH: PermitRootLogin no/);
    expect(keyLogin(target, "root").code).toBe(0);

    const [applied] = await run({ permitRootLogin: "no", settings: { MaxAuthTries: 3 }, allowRootLockout: true });
    expect(applied).toMatchObject({ status: "changed", message: expect.stringContaining("log in as deploy from now on") });
    expect(keyLogin(target, "root")).toMatchObject({ code: 255, stderr: expect.stringMatching(/Permission denied/) });
    expect(
      sshRun(target, "sudo -n sshd -T -C user=root,host=h,addr=127.0.0.1 | grep '^permitrootlogin '", undefined, "deploy"),
    ).toMatchObject({ code: 0, stdout: "permitrootlogin no\n" });
  },
  SLOW,
);
