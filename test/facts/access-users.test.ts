import { spawnSync } from "node:child_process";
import { parseUserSection, userAccount, type UserQuery } from "../../lib/facts/users.js";
import { groupAccount, parseGroupEntry } from "../../lib/facts/groups.js";
import { passwordDigest } from "../../lib/tasks/access/user-plan.js";

const DIGEST = passwordDigest("$6$salt$hash");

describe("users and groups facts", () => {
  test("parseUserSection() reads the passwd entry, groups without the primary one, home and password digest", () => {
    const text = `deploy:x:1001:1001:Deploy user:/home/deploy:/bin/bash\ndeploy\0docker\0sudo\0deploy\0\nhome\n${DIGEST}  -\n`;
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
    const user = parseUserSection("app:x:999:999::/nonexistent:/usr/sbin/nologin\napp\0\nnohome\n-\n", "app");
    expect(user).toMatchObject({ homeExists: false, groups: [], comment: "" });
    expect(user.exists && user.passwordDigest).toBeUndefined();
  });

  test("parseUserSection() keeps group names whole, spaces included, and a nameless primary gid as its number", () => {
    const user = parseUserSection(`x:x:5:4242::/:/bin/sh\n4242\0g rp\0sudo\0\nhome\n${DIGEST}  -\n`, "x");
    expect(user).toMatchObject({ group: "4242", groups: ["g rp", "sudo"], passwordDigest: DIGEST });
  });

  test("parseUserSection() leaves out a digest line that is not sha256sum's", () => {
    const user = parseUserSection(`x:x:5:5::/:/bin/sh\nx\0\nhome\n${DIGEST.slice(1)}  -\n`, "x");
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

/**
 * The fact's own shell text, run by this machine's /bin/sh against stand-ins for `getent` and `id`
 * (shell functions with a fixed passwd, shadow and group database, each call logged on stderr):
 * what the host's shell does with their output (the home out of the passwd line, the shadow field
 * hashed by the real sha256sum) and how many calls the probe makes.
 */
describe("userAccount.command() run by this machine's /bin/sh against stand-in getent and id", () => {
  const HASH = "$6$salt$h/a.b";
  const standIns = [
    `getent() { db=$1; shift 2; echo "getent $db $*" >&2; r=0; for k in "$@"; do case "$db:$k" in`,
    `passwd:deploy) echo 'deploy:x:1001:1002:Deploy, ops:/tmp:/bin/bash';;`,
    `passwd:nohome) echo 'nohome:x:1003:1003::/nonexistent/x y:/bin/sh';;`,
    `shadow:deploy) echo 'deploy:${HASH}:19000:0:99999:7:::';;`,
    `group:sudo|group:adm) echo "$k:x:27:deploy";;`,
    `*) r=2;; esac; done; return $r; }`,
    `id() { echo "id $*" >&2; printf 'staff\\0docker\\0staff\\0'; }`,
  ].join("\n");

  const probe = (query: UserQuery) => {
    // controller-tools: sh sha256sum (the fact's command; getent and id are shell functions)
    const r = spawnSync("/bin/sh", ["-c", `${standIns}\n${userAccount.command(query).text}`], { encoding: "utf8" });
    const calls = r.stderr.split("\n").filter(Boolean);
    return { fact: userAccount.parse({ code: r.status ?? 1, stdout: r.stdout, stderr: "", durationMs: 0 }, query), calls };
  };

  test("userAccount.command() reads the entry, groups, home and the shadow field's digest with one call of each", () => {
    const { fact, calls } = probe({ name: "deploy", groups: ["sudo", "adm"] });
    expect(fact).toEqual({
      user: {
        exists: true,
        name: "deploy",
        uid: 1001,
        gid: 1002,
        group: "staff",
        groups: ["docker"],
        comment: "Deploy, ops",
        home: "/tmp",
        shell: "/bin/bash",
        homeExists: true,
        passwordDigest: passwordDigest(HASH),
      },
      knownGroups: ["sudo", "adm"],
    });
    expect(calls).toEqual(["getent passwd deploy", "id -nGz -- deploy", "getent shadow deploy", "getent group sudo adm"]);
  });

  test("userAccount.command() asks for each wanted group alone only when one of them is missing", () => {
    const { fact, calls } = probe({ name: "deploy", groups: ["nope", "sudo", "adm", "nope"] });
    expect(fact.knownGroups).toEqual(["sudo", "adm"]);
    expect(calls.filter((c) => c.startsWith("getent group"))).toEqual([
      "getent group nope sudo adm nope",
      "getent group nope",
      "getent group sudo",
      "getent group adm",
      "getent group nope",
    ]);
  });

  test("userAccount.command() says when the home is missing or shadow has no entry, and asks for no group when none is wanted", () => {
    const { fact, calls } = probe({ name: "nohome" });
    expect(fact.user).toMatchObject({ exists: true, home: "/nonexistent/x y", homeExists: false, passwordDigest: undefined });
    expect(calls.filter((c) => c.startsWith("getent group"))).toEqual([]);
  });

  test("userAccount.command() says absent without asking anything else", () => {
    const { fact, calls } = probe({ name: "ghost", groups: ["sudo"] });
    expect(fact).toEqual({ user: { exists: false }, knownGroups: ["sudo"] });
    expect(calls).toEqual(["getent passwd ghost", "getent group sudo"]);
  });
});
