import { authorizedKeysFile } from "../../lib/facts/authorized-keys.js";

const M = (name: string, code = 0): string => `\n@@bosun-section ${name} ${code}@@\n`;

describe("authorized keys fact", () => {
  test("authorizedKeysFile reads the account, the three paths and the content", () => {
    const stdout = [
      `deploy:x:1001:1002::/home/deploy:/bin/bash\n${M("passwd")}`,
      `dir\t755\t1001\t1002\tdeploy\tdeploy\n${M("home")}`,
      `dir\t700\t1001\t1002\tdeploy\tdeploy\n${M("dir")}`,
      `file\t600\t1001\t1002\tdeploy\tdeploy\n${M("file")}`,
      `|ssh-ed25519 AAAA a\n${M("content")}`,
    ].join("");
    expect(authorizedKeysFile.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, "deploy")).toMatchObject({
      user: "present",
      uid: 1001,
      gid: 1002,
      home: "/home/deploy",
      dirStat: { kind: "dir", mode: "0700" },
      fileStat: { kind: "file", mode: "0600" },
      content: "ssh-ed25519 AAAA a\n",
    });
  });

  test("authorizedKeysFile says the user is absent when getent finds nothing", () => {
    const stdout = [M("passwd", 2), `absent\n${M("home")}`, `absent\n${M("dir")}`, `absent\n${M("file")}`, M("content")].join("");
    expect(authorizedKeysFile.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, "ghost")).toEqual({ user: "absent" });
  });
});
