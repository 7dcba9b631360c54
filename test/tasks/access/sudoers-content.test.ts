import { escapeSudoCommand, renderSudoRule, sudoCommandsProblem } from "../../../lib/tasks/access/sudoers-content.js";

describe("sudoers rules", () => {
  test("renderSudoRule() writes a user or %group rule with NOPASSWD and the commands", () => {
    expect(renderSudoRule("deploy", { user: "deploy", nopasswd: true })).toMatch(/\ndeploy ALL=\(ALL:ALL\) NOPASSWD: ALL\n$/);
    expect(renderSudoRule("ops", { group: "ops", runAs: "root", commands: ["/usr/bin/systemctl restart app", "/usr/bin/docker"] })).toMatch(
      /\n%ops ALL=\(root\) \/usr\/bin\/systemctl restart app, \/usr\/bin\/docker\n$/,
    );
  });

  test("escapeSudoCommand() escapes the characters sudoers reads in arguments", () => {
    expect(escapeSudoCommand("/usr/bin/env A=b,c:d\\e")).toBe("/usr/bin/env A\\=b\\,c\\:d\\\\e");
    expect(escapeSudoCommand("ALL")).toBe("ALL");
  });

  test("sudoCommandsProblem() wants ALL or absolute paths", () => {
    expect(sudoCommandsProblem("systemctl")).toMatch(/absolute paths/);
    expect(sudoCommandsProblem([])).toMatch(/must not be empty/);
    expect(sudoCommandsProblem(["ALL", "/bin/true"])).toBeUndefined();
  });
});
