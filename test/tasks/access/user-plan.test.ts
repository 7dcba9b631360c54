import { planUser, passwordDigest, type WantedUser } from "../../../lib/tasks/access/user-plan.js";
import type { UserFact } from "../../../lib/facts/users.js";

const base: WantedUser = {
  name: "deploy",
  append: true,
  createHome: true,
  system: false,
  updatePassword: "always",
  state: "present",
  removeHome: false,
};
const existing: UserFact = {
  user: {
    exists: true,
    name: "deploy",
    uid: 1001,
    gid: 1001,
    group: "deploy",
    groups: ["adm"],
    comment: "",
    home: "/home/deploy",
    shell: "/bin/sh",
    homeExists: true,
    passwordDigest: passwordDigest("!"),
  },
  knownGroups: ["adm", "docker", "deploy"],
};
const absent: UserFact = { user: { exists: false }, knownGroups: ["docker"] };

describe("planUser()", () => {
  test("creates a missing user with useradd and every option given", () => {
    const p = planUser(absent, { ...base, uid: 1500, groups: ["docker"], shell: "/bin/bash", comment: "Deploy", system: true });
    expect(p.command?.text).toBe("useradd -r -u 1500 -G docker -s /bin/bash -c Deploy -m -- deploy");
    expect(p.missingGroups).toEqual([]);
  });

  test("sends a new user's password hash to chpasswd on stdin, never in argv", () => {
    const p = planUser(absent, { ...base, passwordHash: "$6$salt$abc" });
    expect(p.command?.text).toBe("useradd -m -- deploy && chpasswd -e");
    expect(p.command?.stdin).toBe("deploy:$6$salt$abc\n");
  });

  test("says which wanted groups do not exist", () => {
    expect(planUser(absent, { ...base, group: "staff", groups: ["docker", "ops"] }).missingGroups).toEqual(["staff", "ops"]);
  });

  test("changes nothing when the account matches", () => {
    expect(planUser(existing, { ...base, shell: "/bin/sh", groups: ["adm"], passwordHash: "!" }).command).toBeUndefined();
  });

  test("appends missing groups with usermod -a -G and keeps the others", () => {
    const p = planUser(existing, { ...base, groups: ["docker"] });
    expect(p.command?.text).toBe("usermod -a -G docker -- deploy");
    expect(p.after).toEqual({ groups: ["adm", "docker"] });
  });

  test("without append, sets exactly the groups given (also none)", () => {
    expect(planUser(existing, { ...base, append: false, groups: ["docker"] }).command?.text).toBe("usermod -G docker -- deploy");
    expect(planUser(existing, { ...base, append: false, groups: [] }).command?.text).toBe("usermod -G '' -- deploy");
    expect(planUser(existing, { ...base, append: false, groups: ["adm"] }).command).toBeUndefined();
  });

  test("changes uid, shell and comment in one usermod, and creates a missing home", () => {
    const fact = { ...existing, user: { ...existing.user, homeExists: false } } as UserFact;
    const p = planUser(fact, { ...base, uid: 2000, shell: "/bin/bash", comment: "D" });
    expect(p.command?.text).toBe("usermod -u 2000 -s /bin/bash -c D -- deploy && mkhomedir_helper deploy");
    expect(p.changes).toEqual(["uid 1001 → 2000", "shell /bin/sh → /bin/bash", 'comment "" → D', "create home /home/deploy"]);
  });

  test("sets a different password hash, or only on create with updatePassword onCreate", () => {
    expect(planUser(existing, { ...base, passwordHash: "$6$x$y" }).command).toMatchObject({
      text: ": && chpasswd -e",
      stdin: "deploy:$6$x$y\n",
    });
    expect(planUser(existing, { ...base, passwordHash: "$6$x$y", updatePassword: "onCreate" }).command).toBeUndefined();
  });

  test("removes a user with userdel, and its home with removeHome", () => {
    expect(planUser(existing, { ...base, state: "absent", removeHome: true }).command?.text).toBe("userdel -r -- deploy");
    expect(planUser(absent, { ...base, state: "absent" }).command).toBeUndefined();
  });
});
