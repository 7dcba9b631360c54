import { parseUserSection, userAccount } from "../../lib/facts/users.js";
import { groupAccount, parseGroupEntry } from "../../lib/facts/groups.js";
import { passwordDigest } from "../../lib/tasks/access/user-plan.js";

const DIGEST = passwordDigest("$6$salt$hash");

describe("users and groups facts", () => {
  test("parseUserSection() reads the passwd entry, groups without the primary one, home and password digest", () => {
    const text = `deploy:x:1001:1001:Deploy user:/home/deploy:/bin/bash\ndeploy\ndeploy docker sudo\nhome\n${DIGEST}\n`;
    expect(parseUserSection(text, "deploy")).toEqual({
      exists: true,
      name: "deploy",
      uid: 1001,
      gid: 1001,
      group: "deploy",
      groups: ["docker", "sudo"],
      comment: "Deploy user",
      home: "/home/deploy",
      shell: "/bin/bash",
      homeExists: true,
      passwordDigest: DIGEST,
    });
  });

  test("parseUserSection() says absent, and leaves the digest out when shadow was unreadable", () => {
    expect(parseUserSection("absent\n", "x")).toEqual({ exists: false });
    const user = parseUserSection("app:x:999:999::/nonexistent:/usr/sbin/nologin\napp\napp\nnohome\n-\n", "app");
    expect(user).toMatchObject({ homeExists: false, groups: [], comment: "" });
    expect(user.exists && user.passwordDigest).toBeUndefined();
  });

  test("userAccount parses its sections and lists the wanted groups that exist", () => {
    const stdout = `absent\n\n@@bosun-section user 0@@\ndocker\n\n@@bosun-section groups 0@@\n`;
    expect(userAccount.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, { name: "x", groups: ["docker", "nope"] })).toEqual({
      user: { exists: false },
      knownGroups: ["docker"],
    });
  });

  test("userAccount quotes the name and the groups in its command", () => {
    const text = userAccount.command({ name: "deploy", groups: ["a b"] }).text;
    expect(text).toContain("n=deploy;");
    expect(text).toContain("for g in 'a b';");
  });

  test("parseGroupEntry() reads gid and members, or absent", () => {
    expect(parseGroupEntry("docker:x:998:deploy,ci\n", "docker")).toEqual({
      exists: true,
      name: "docker",
      gid: 998,
      members: ["deploy", "ci"],
      system: true,
    });
    expect(parseGroupEntry("absent\n", "x")).toEqual({ exists: false });
    expect(() => parseGroupEntry("garbage", "x")).toThrow(/unexpected entry/);
  });

  test("groupAccount fails on an error other than not-found", () => {
    expect(() => groupAccount.parse({ code: 1, stdout: "", stderr: "boom", durationMs: 1 }, "g")).toThrow(/Cannot read group "g": boom/);
  });
});
