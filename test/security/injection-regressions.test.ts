/**
 * What the injection tests found, pinned down without a lab: values that used to be written
 * differently from how they were given (or to crash past the task contract) are now either
 * written literally or refused before anything runs.
 */
import { ParamsError } from "../../lib/core/errors.js";
import { aptRepository, authorizedKey, command, gitlabRunnerRegister, sudoers, systemdTimer } from "../../lib/index.js";
import { applyBlockInFile } from "../../lib/tasks/files/index.js";
import { renderSudoRule, sudoCommandsProblem } from "../../lib/tasks/access/sudoers-content.js";

describe("values written literally", () => {
  test.each(["$&", "$'", "$`", "$$", "$1"])(
    "blockInFile markers holding %j are written as given (not as a replacement pattern)",
    (mark) => {
      const { content } = applyBlockInFile("", { block: "x", markerBegin: mark, markerEnd: `end ${mark}` });
      expect(content).toBe(`# ${mark} BOSUN MANAGED BLOCK\nx\n# end ${mark} BOSUN MANAGED BLOCK\n`);
    },
  );

  test("a sudoers command with # keeps it as part of the command (escaped), not as the start of a comment", () => {
    expect(renderSudoRule("x", { user: "deploy", commands: ["/usr/bin/systemctl restart app#2"] })).toContain(
      "/usr/bin/systemctl restart app\\#2\n",
    );
  });
});

describe("values refused before anything runs, naming the parameter", () => {
  const refused = (make: () => unknown, parameter: RegExp) => {
    expect(make).toThrow(ParamsError);
    expect(make).toThrow(parameter);
  };

  test("command() refuses NUL in an argv element (it used to throw from the title, past the task contract)", () => {
    refused(() => command({ cmd: ["printf", "%s", "a\0b"] }), /parameter "cmd" must not contain a NUL byte/);
  });

  test("sudoers refuses a backslash in a command's path, which sudo reads as another command", () => {
    expect(sudoCommandsProblem(["/usr/bin/a\\b c"])).toMatch(/without a backslash/);
    expect(sudoCommandsProblem(["/usr/bin/a b\\c"])).toBeUndefined();
    refused(() => sudoers({ name: "x", user: "deploy", commands: "/usr/bin/a\\;b" }), /parameter "commands"/);
  });

  test.each(["/etc/apt/keyrings/k.gpg\nTrusted: yes", "/etc/apt/keyrings/a b.gpg", "/k#x"])(
    "aptRepository refuses signedBy %j (a second deb822 field, or a list)",
    (signedBy) => {
      refused(
        () => aptRepository({ name: "x", uri: "http://deb.example/debian", suites: "stable", components: ["main"], signedBy }),
        /parameter "signedBy"/,
      );
    },
  );

  test.each(["glrt-abc\nrest", "token\r"])(
    "gitlabRunnerRegister refuses a token of more than one line (%j would be cut at the line break)",
    (token) => {
      refused(() => gitlabRunnerRegister({ url: "https://gitlab.example", token, image: "alpine" }), /parameter "token" must be one line/);
    },
  );

  test("systemdTimer refuses control characters in environment values (systemd drops such a variable) and a trailing backslash (a line continuation)", () => {
    const base = { name: "t", onCalendar: "daily", command: "true" };
    refused(() => systemdTimer({ ...base, environment: { A: "x\ry" } }), /parameter "environment" values/);
    refused(() => systemdTimer({ ...base, description: "ends with \\" }), /parameter "description"/);
    refused(() => systemdTimer({ ...base, workingDirectory: "/srv/x\\" }), /parameter "workingDirectory"/);
    expect(() => systemdTimer({ ...base, environment: { A: "tab\tand\nnewline" } })).not.toThrow();
  });

  test.each(["#no-pty", 'command="echo', 'from="10.0.0.1",no-pty"'])(
    "authorizedKey refuses options %j: sshd would read a comment or an unbalanced quote, and every run would add the key again",
    (options) => {
      refused(() => authorizedKey({ user: "deploy", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFoo c", options }), /parameter "options"/);
    },
  );
  test("authorizedKey still takes quoted options with spaces and commas", () => {
    expect(() =>
      authorizedKey({ user: "deploy", key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFoo c", options: 'command="echo a, b",no-pty' }),
    ).not.toThrow();
  });
});
