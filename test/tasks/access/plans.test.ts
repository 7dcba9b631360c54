import { authorizedKey, ensureGroup, ensureUser, sshdConfig, sudoers } from "../../../lib/tasks/access/index.js";
import type { AuthorizedKeysState } from "../../../lib/facts/authorized-keys.js";
import type { SshdDropInState } from "../../../lib/facts/sshd.js";
import { parseEffective } from "../../../lib/facts/sshd.js";
import { cannedHost, commandTexts, plan } from "./canned-host.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa a";
const EFF =
  "permitrootlogin without-password\npubkeyauthentication yes\npasswordauthentication yes\nusepam yes\nauthenticationmethods any\n";
const KEYS = [{ path: "/root/.ssh/authorized_keys", keys: 1 }];

function sshdState(over: Partial<SshdDropInState> = {}, trialEff = EFF): SshdDropInState {
  return {
    loginUser: "root",
    loginGroups: ["root"],
    password: "locked",
    sessionMethod: "publickey",
    installed: true,
    includesDropIns: true,
    file: { kind: "absent" },
    now: { valid: true, errors: "", effective: parseEffective(EFF), keyFiles: KEYS },
    trial: { valid: true, errors: "", effective: parseEffective(trialEff), keyFiles: KEYS },
    dropIns: [],
    keyUsers: [],
    ...over,
  };
}

const keysState = (over: Partial<Extract<AuthorizedKeysState, { user: "present" }>> = {}): AuthorizedKeysState => ({
  user: "present",
  uid: 1001,
  gid: 1001,
  home: "/home/deploy",
  homeStat: { kind: "dir", mode: "0755", uid: 1001, gid: 1001, owner: "deploy", group: "deploy" },
  dirStat: { kind: "dir", mode: "0700", uid: 1001, gid: 1001, owner: "deploy", group: "deploy" },
  fileStat: { kind: "file", mode: "0600", uid: 1001, gid: 1001, owner: "deploy", group: "deploy" },
  content: `${KEY}\n`,
  ...over,
});

describe("access task plans", () => {
  test("ensureGroup() plans groupadd, groupmod -g and groupdel from the group's entry", async () => {
    expect(commandTexts(await plan(ensureGroup({ name: "g", gid: 1500, system: true }), cannedHost({ exists: false })))).toEqual([
      "groupadd -r -g 1500 -- g",
    ]);
    expect(
      commandTexts(
        await plan(ensureGroup({ name: "g", gid: 1500 }), cannedHost({ exists: true, name: "g", gid: 1400, members: [], system: false })),
      ),
    ).toEqual(["groupmod -g 1500 -- g"]);
    expect(
      commandTexts(
        await plan(
          ensureGroup({ name: "g", state: "absent" }),
          cannedHost({ exists: true, name: "g", gid: 1400, members: [], system: false }),
        ),
      ),
    ).toEqual(["groupdel -- g"]);
    expect(
      (await plan(ensureGroup({ name: "g" }), cannedHost({ exists: true, name: "g", gid: 1400, members: [], system: false }))).changed,
    ).toBe(false);
  });

  test("ensureUser() fails on a missing group, but only notes it in check mode", async () => {
    const fact = { user: { exists: false }, knownGroups: [] };
    await expect(plan(ensureUser({ name: "u", groups: ["docker"] }), cannedHost(fact))).rejects.toThrow(/group "docker" does not exist/);
    const checked = await plan(ensureUser({ name: "u", groups: ["docker"] }), cannedHost(fact, { checkMode: true }));
    expect(checked).toMatchObject({
      changed: true,
      message: expect.stringMatching(/applying fails unless an earlier task of this run provides it/),
    });
  });

  test("authorizedKey() is unchanged when the key, modes and owners are right", async () => {
    expect((await plan(authorizedKey({ user: "deploy", key: KEY }), cannedHost(keysState()))).changed).toBe(false);
  });

  test("authorizedKey() fixes a loose .ssh and writes the file in ONE command, content on stdin", async () => {
    const p = await plan(
      authorizedKey({ user: "deploy", key: KEY }),
      cannedHost(keysState({ dirStat: { kind: "absent" }, fileStat: { kind: "absent" }, content: undefined })),
    );
    if (!p.changed) throw new Error("expected a change");
    expect(p.steps).toHaveLength(1);
    const [step] = p.steps as { text: string; stdin?: unknown }[];
    expect(step?.text).toMatch(/^\{ mkdir -m 0700 -- \/home\/deploy\/\.ssh && chown 1001:1001 -- \/home\/deploy\/\.ssh\n\} \|\| exit 1\n/);
    expect(step?.text).not.toContain("AAAAC3");
    expect(String(step?.stdin)).toBe(`${KEY}\n`);
  });

  test("authorizedKey() only chmods a file with the right keys and a wrong mode", async () => {
    const p = await plan(
      authorizedKey({ user: "deploy", key: KEY }),
      cannedHost(keysState({ fileStat: { kind: "file", mode: "0644", uid: 1001, gid: 1001, owner: "deploy", group: "deploy" } })),
    );
    expect(commandTexts(p)).toEqual([
      "{ chmod 0600 -- /home/deploy/.ssh/authorized_keys && chown -h 1001:1001 -- /home/deploy/.ssh/authorized_keys\n} || exit 1",
    ]);
  });

  test("authorizedKey() refuses links in the user's home", async () => {
    await expect(plan(authorizedKey({ user: "deploy", key: KEY }), cannedHost(keysState({ dirStat: { kind: "link" } })))).rejects.toThrow(
      /\.ssh is a symbolic link/,
    );
    await expect(plan(authorizedKey({ user: "deploy", key: KEY }), cannedHost(keysState({ fileStat: { kind: "link" } })))).rejects.toThrow(
      /authorized_keys is a symbolic link/,
    );
  });

  test("authorizedKey() fails for a missing user, but only notes it in check mode", async () => {
    await expect(plan(authorizedKey({ user: "ghost", key: KEY }), cannedHost({ user: "absent" }))).rejects.toThrow(
      /user ghost does not exist/,
    );
    expect(await plan(authorizedKey({ user: "ghost", key: KEY }), cannedHost({ user: "absent" }, { checkMode: true }))).toMatchObject({
      changed: true,
    });
  });

  test("sudoers() validates with visudo on the temp file and installs 0440 root:root", async () => {
    const p = await plan(sudoers({ name: "deploy", user: "deploy", nopasswd: true }), cannedHost({ kind: "absent", parentExists: true }));
    const [text] = commandTexts(p);
    expect(text).toContain(`visudo -cf "$t"`);
    expect(text).toContain("chmod 0440");
    expect(text).toContain("chown -- root:root");
  });

  test("sudoers() says sudo is missing when /etc/sudoers.d is", async () => {
    await expect(plan(sudoers({ name: "deploy", user: "deploy" }), cannedHost({ kind: "absent", parentExists: false }))).rejects.toThrow(
      /is sudo installed/,
    );
  });

  test("sshdConfig() is unchanged (no reload) when the drop-in already holds the settings", async () => {
    const call = sshdConfig({ name: "00-x", settings: { PasswordAuthentication: false } });
    const content =
      '# Managed by bosun (access.sshdConfig "00-x"); edits are overwritten.\n# sshd keeps the first value it reads for a keyword: this file wins over files that sort after it.\nPasswordAuthentication no\n';
    const st = sshdState({ file: { kind: "file", mode: "0644", uid: 0, gid: 0, owner: "root", group: "root" }, content });
    expect((await plan(call, cannedHost(st))).changed).toBe(false);
  });

  test("sshdConfig() writes, validates the whole configuration with the temp file, then reloads, in one command", async () => {
    const p = await plan(
      sshdConfig({ name: "00-x", settings: { PasswordAuthentication: false } }),
      cannedHost(sshdState({}, EFF.replace("passwordauthentication yes", "passwordauthentication no"))),
    );
    const texts = commandTexts(p);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain(`cp -- "$t" "$T/d/"00-x.conf`);
    expect(texts[0]).toContain(`sshd -t -f "$T/sshd_config"`);
    expect(texts[0]).toMatch(/systemctl try-reload-or-restart ssh/);
    expect(p).toMatchObject({ message: expect.stringContaining("passwordauthentication yes → no") });
  });

  test("sshdConfig() refuses PermitRootLogin no for a root session, with a hint", async () => {
    const call = sshdConfig({ name: "00-x", settings: { PermitRootLogin: "no" } });
    const trial = EFF.replace("without-password", "no");
    await expect(plan(call, cannedHost(sshdState({}, trial)))).rejects.toMatchObject({
      message: expect.stringMatching(
        /root \(this session's user\) could no longer log in over SSH: PermitRootLogin no; and no other user has both an authorized key and sudo/,
      ),
      context: { hint: expect.stringMatching(/roles\/deploy-user/) },
    });
    const withAdmin = sshdState({ keyUsers: [{ user: "deploy", sudo: true }] }, trial);
    await expect(plan(call, cannedHost(withAdmin))).rejects.toMatchObject({
      context: { hint: expect.stringMatching(/log in as deploy .* or set allowRootLockout: true/) },
    });
    const allowed = await plan(
      sshdConfig({ name: "00-x", settings: { PermitRootLogin: "no" }, allowRootLockout: true }),
      cannedHost(withAdmin),
    );
    expect(allowed).toMatchObject({ changed: true, message: expect.stringContaining("log in as deploy from now on") });
  });

  test("sshdConfig() refuses settings another file overrides, and an invalid configuration", async () => {
    await expect(
      plan(
        sshdConfig({ name: "99-x", settings: { PasswordAuthentication: false } }),
        cannedHost(sshdState({ dropIns: ["50-cloud-init.conf"] })),
      ),
    ).rejects.toMatchObject({
      message: expect.stringContaining(`sshd would use PasswordAuthentication "yes", not "no"`),
      context: { hint: expect.stringContaining("read before this one: 50-cloud-init.conf") },
    });
    const invalid = sshdState({
      trial: { valid: false, errors: "line 3: Bad configuration option: Bogus", effective: new Map(), keyFiles: [] },
    });
    await expect(plan(sshdConfig({ name: "00-x", settings: { Bogus: 1 } }), cannedHost(invalid))).rejects.toThrow(
      /sshd -t rejects the configuration with it:\nline 3: Bad configuration option: Bogus/,
    );
  });

  test("sshdConfig() says sshd is not installed", async () => {
    await expect(
      plan(
        sshdConfig({ name: "00-x", settings: { X11Forwarding: false } }),
        cannedHost(sshdState({ installed: false, includesDropIns: false })),
      ),
    ).rejects.toThrow(/sshd is not installed/);
  });

  test("sshdConfig() refuses when sshd_config does not include the drop-in directory", async () => {
    await expect(
      plan(sshdConfig({ name: "00-x", settings: { X11Forwarding: false } }), cannedHost(sshdState({ includesDropIns: false }))),
    ).rejects.toThrow(/does not include \/etc\/ssh\/sshd_config.d\/\*\.conf/);
  });
});
