import { loginVerdict, lockoutReason, matchesPattern, type LoginAccount } from "../../../lib/tasks/access/sshd-access.js";
import { parseEffective } from "../../../lib/facts/sshd.js";

const DEFAULTS =
  "permitrootlogin without-password\npubkeyauthentication yes\npasswordauthentication yes\nkbdinteractiveauthentication no\nusepam yes\nauthenticationmethods any\nauthorizedkeyscommand none\n";
/** sshd -T output: the defaults with some keywords replaced (as sshd prints each keyword once). */
const eff = (extra = "") => new Map([...parseEffective(DEFAULTS), ...parseEffective(extra)]);
const root: LoginAccount = {
  user: "root",
  groups: ["root"],
  password: "locked",
  keyFiles: [{ path: "/root/.ssh/authorized_keys", keys: 1 }],
};
const deploy: LoginAccount = {
  user: "deploy",
  groups: ["deploy", "docker"],
  password: "usable",
  keyFiles: [{ path: "/home/deploy/.ssh/authorized_keys", keys: 1 }],
};
const noKeys = (a: LoginAccount): LoginAccount => ({ ...a, keyFiles: [{ path: "/x", keys: 0 }] });

describe("the sshd lock-out guard", () => {
  test("matchesPattern() follows OpenSSH: wildcards, negation, user@host", () => {
    expect(matchesPattern("deploy", ["dep*"])).toBe(true);
    expect(matchesPattern("deploy", ["deploy@10.0.0.*"])).toBe(true);
    expect(matchesPattern("deploy", ["*", "!deploy"])).toBe(false);
    expect(matchesPattern("root", ["d?ploy"])).toBe(false);
  });

  test("root with a key may log in by key under prohibit-password, not under PermitRootLogin no", () => {
    expect(loginVerdict(eff(), root)).toEqual({ methods: ["publickey"] });
    expect(loginVerdict(eff("permitrootlogin no\n"), root).blocked).toBe("PermitRootLogin no");
  });

  test("a user without keys keeps password login only while PasswordAuthentication is on", () => {
    expect(loginVerdict(eff(), noKeys(deploy)).methods).toEqual(["password"]);
    expect(loginVerdict(eff("passwordauthentication no\n"), noKeys(deploy)).blocked).toMatch(
      /no authorized key in \/x; PasswordAuthentication no/,
    );
  });

  test("AllowUsers, DenyUsers, AllowGroups and DenyGroups shut a user out", () => {
    expect(loginVerdict(eff("allowusers ops\n"), deploy).blocked).toMatch(/AllowUsers ops does not let deploy in/);
    expect(loginVerdict(eff("denyusers deploy\n"), deploy).blocked).toMatch(/DenyUsers/);
    expect(loginVerdict(eff("allowgroups admins\n"), deploy).blocked).toMatch(/AllowGroups/);
    expect(loginVerdict(eff("denygroups docker\n"), deploy).blocked).toMatch(/DenyGroups/);
    expect(loginVerdict(eff("allowgroups docker\n"), deploy).blocked).toBeUndefined();
  });

  test("AuthenticationMethods that need a method the user lacks block it", () => {
    expect(loginVerdict(eff("authenticationmethods publickey,keyboard-interactive\n"), deploy).blocked).toMatch(/AuthenticationMethods/);
    expect(loginVerdict(eff("authenticationmethods publickey,password\n"), deploy).blocked).toBeUndefined();
  });

  test("lockoutReason() refuses to remove the method this session logged in with", () => {
    const now = loginVerdict(eff(), deploy);
    const next = loginVerdict(eff("passwordauthentication no\n"), deploy);
    expect(lockoutReason(now, next, "password")).toMatch(/logged in by password/);
    expect(lockoutReason(now, next, "publickey")).toBeUndefined();
    expect(lockoutReason(now, next, undefined)).toBeUndefined();
    expect(lockoutReason(loginVerdict(eff(), root), loginVerdict(eff("permitrootlogin no\n"), root), "publickey")).toBe(
      "PermitRootLogin no",
    );
  });

  test("lockoutReason() does not object when it cannot see how the user gets in now", () => {
    const blind = loginVerdict(eff("passwordauthentication no\n"), noKeys(root));
    expect(lockoutReason(blind, blind, "publickey")).toBeUndefined();
  });
});
