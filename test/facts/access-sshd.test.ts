import { parseEffective, parseTrial, sshdDropIn } from "../../lib/facts/sshd.js";

const M = (name: string, code = 0): string => `\n@@bosun-section ${name} ${code}@@\n`;

describe("sshd facts", () => {
  test("parseEffective() lower-cases keywords and keeps repeated ones in order", () => {
    const eff = parseEffective("port 22\nPasswordAuthentication no\nlistenaddress 0.0.0.0:22\nlistenaddress [::]:22\n");
    expect(eff.get("passwordauthentication")).toEqual(["no"]);
    expect(eff.get("listenaddress")).toEqual(["0.0.0.0:22", "[::]:22"]);
  });

  test("parseTrial() reads a valid configuration with the user's key files", () => {
    const trial = parseTrial(
      "@valid\nport 22\nauthorizedkeysfile .ssh/authorized_keys\n@keys\n1\t/root/.ssh/authorized_keys\n0\t/root/.ssh/authorized_keys2\n",
    );
    expect(trial.valid).toBe(true);
    expect(trial.effective.get("authorizedkeysfile")).toEqual([".ssh/authorized_keys"]);
    expect(trial.keyFiles).toEqual([
      { path: "/root/.ssh/authorized_keys", keys: 1 },
      { path: "/root/.ssh/authorized_keys2", keys: 0 },
    ]);
  });

  test("parseTrial() keeps sshd -t's errors for an invalid configuration", () => {
    const trial = parseTrial("/tmp/x/d/a.conf: line 3: Bad configuration option: Bogus\n@invalid\n");
    expect(trial).toMatchObject({ valid: false, errors: "/tmp/x/d/a.conf: line 3: Bad configuration option: Bogus" });
  });

  test("sshdDropIn parses every section of its probe", () => {
    const stdout = [
      `deploy\ndeploy docker\nlocked\n${M("login")}`,
      `Accepted publickey for deploy from 10.0.0.5 port 50000 ssh2: ED25519 SHA256:x\n${M("session")}`,
      `yes\n${M("include")}`,
      `file\t644\t0\t0\troot\troot\n${M("file")}`,
      `|PasswordAuthentication no\n${M("content")}`,
      `@valid\npasswordauthentication yes\n@keys\n1\t/home/deploy/.ssh/authorized_keys\n${M("now")}`,
      `@valid\npasswordauthentication no\n@keys\n1\t/home/deploy/.ssh/authorized_keys\n${M("trial")}`,
      `ops sudo\nci\n${M("key-users")}`,
      `00-x.conf\n50-cloud-init.conf\n${M("drop-ins")}`,
    ].join("");
    const st = sshdDropIn.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, { name: "00-x" });
    expect(st).toMatchObject({
      loginUser: "deploy",
      loginGroups: ["deploy", "docker"],
      password: "locked",
      sessionMethod: "publickey",
      installed: true,
      includesDropIns: true,
      file: { kind: "file", mode: "0644", uid: 0 },
      content: "PasswordAuthentication no\n",
      keyUsers: [
        { user: "ops", sudo: true },
        { user: "ci", sudo: false },
      ],
      dropIns: ["00-x.conf", "50-cloud-init.conf"],
    });
    expect(st.trial.effective.get("passwordauthentication")).toEqual(["no"]);
  });

  test("sshdDropIn sends the candidate on stdin, never in the command line", () => {
    const cmd = sshdDropIn.command({ name: "00-x", candidate: "PasswordAuthentication no\n" });
    expect(cmd.stdin).toBe("PasswordAuthentication no\n");
    expect(cmd.text).not.toContain("PasswordAuthentication no");
  });
});
