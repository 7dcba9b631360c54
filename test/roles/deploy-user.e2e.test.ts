/** Role deploy-user on a fresh lab host: check mode changes nothing, a run converges, a second run changes nothing. */
import { readFileSync } from "node:fs";
import { openHost, type OpenedHost } from "../../lib/run/standalone.js";
import type { TaskResult } from "../../lib/core/task.js";
import { deployUserRole } from "../../roles/deploy-user/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { sshRun, type LabTarget } from "../e2e/task-harness.js";
import { keyLogin } from "../tasks/access/ssh-login.js";

const lab = useLab({ name: "t-deploy-user" });
const SLOW = 120_000;

let target: LabTarget;
let labKey: string;
beforeAll(() => {
  const info = lab();
  const h = info.hosts[0]!;
  target = { name: h.name, sshPort: h.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
  labKey = readFileSync(`${info.keyPath}.pub`, "utf8");
});

/** Run the role on a new connection as root. */
async function run(options: Parameters<typeof deployUserRole>[1], check = false): Promise<readonly TaskResult[]> {
  const host: OpenedHost = await openHost(
    { name: target.name, host: "127.0.0.1", port: target.sshPort, privateKeyPath: target.keyPath, knownHostsPath: target.knownHostsPath },
    { check },
  );
  try {
    return await deployUserRole(host, options);
  } finally {
    await host.close();
  }
}
const root = (command: string): string => {
  const r = sshRun(target, command);
  return `${r.stdout}${r.stderr}`;
};
const state = () => root("getent passwd deploy; ls -A /etc/sudoers.d; ls -la /home/deploy/.ssh 2>&1 | tail -n +2; echo end");

test(
  "deployUser() in check mode reports every change and leaves a fresh host untouched",
  async () => {
    const before = state();
    const results = await run({ authorizedKeys: labKey }, true);
    expect(results.map((r) => `${r.task} ${r.status}`)).toEqual([
      "access.ensureUser changed",
      "access.authorizedKey changed",
      "access.sudoers changed",
    ]);
    expect(state()).toBe(before);
    expect(before).toMatch(/^README\n.*end\n$/s);
  },
  SLOW,
);

test(
  "deployUser() makes a user that logs in by key and runs sudo without a password; a second run changes nothing",
  async () => {
    expect(keyLogin(target, "deploy", "true").code).toBe(255);
    const first = await run({ authorizedKeys: labKey, groups: ["adm"] });
    expect(first.map((r) => r.status)).toEqual(["changed", "changed", "changed"]);
    const login = keyLogin(target, "deploy", "id -un; id -nG; echo $SHELL; sudo -n id -un");
    expect(login).toMatchObject({ code: 0, stdout: "deploy\ndeploy adm\n/bin/bash\nroot\n" });
    expect(root("stat -c '%a %U' /home/deploy/.ssh /home/deploy/.ssh/authorized_keys /etc/sudoers.d/deploy")).toBe(
      "700 deploy\n600 deploy\n440 root\n",
    );
    const again = await run({ authorizedKeys: labKey, groups: ["adm"] });
    expect(again.map((r) => `${r.status} ${r.commands}`)).toEqual(["ok 1", "ok 1", "ok 1"]);
  },
  SLOW,
);

test(
  "deployUser() with sudo: false removes the sudo drop-in",
  async () => {
    const results = await run({ authorizedKeys: labKey, groups: ["adm"], sudo: false });
    expect(results.map((r) => r.status)).toEqual(["ok", "ok", "changed"]);
    expect(sshRun(target, "sudo -n true", undefined, "deploy")).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/a password is required/),
    });
    expect(root("ls -A /etc/sudoers.d")).toBe("README\n");
  },
  SLOW,
);
