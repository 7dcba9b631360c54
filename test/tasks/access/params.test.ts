import { ParamsError } from "../../../lib/core/errors.js";
import { authorizedKey, ensureGroup, ensureUser, reloadSshd, sshdConfig, sudoers } from "../../../lib/tasks/access/index.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa a";

/** The error a call raises, which must be a ParamsError naming the task. */
function rejection(call: () => unknown, task: string): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as Error).message).toContain(`Cannot use ${task}:`);
    return (error as Error).message;
  }
  throw new Error("the call was accepted");
}

describe("access tasks reject bad params before anything runs, naming the task and the parameter", () => {
  test.each([
    ["access.ensureGroup", () => ensureGroup({ name: "g", gid: -1 }), /gid/],
    ["access.ensureGroup", () => ensureGroup({ name: "1000" }), /"name" must be a name, not a number/],
    ["access.ensureGroup", () => ensureGroup({ name: "g", gid: 5, state: "absent" }), /"gid" and "system" only apply/],
    ["access.ensureUser", () => ensureUser({ name: "bad name" }), /name/],
    ["access.ensureUser", () => ensureUser({ name: "u", shell: "bash" }), /shell/],
    ["access.ensureUser", () => ensureUser({ name: "u", password: "hunter2" }), /"password" must be a crypt\(3\) hash/],
    ["access.ensureUser", () => ensureUser({ name: "u", comment: "a:b" }), /"comment" must not contain ":"/],
    ["access.ensureUser", () => ensureUser({ name: "u", state: "absent", shell: "/bin/sh" }), /"shell" only applies with state "present"/],
    ["access.ensureUser", () => ensureUser({ name: "u", removeHome: true }), /"removeHome" only applies with state "absent"/],
    ["access.ensureUser", () => ensureUser({ name: "u", shel: "/bin/sh" } as never), /unknown parameter "shel"/],
    ["access.authorizedKey", () => authorizedKey({ user: "u", key: "hunter2" }), /"key" is invalid: not an SSH public key/],
    ["access.authorizedKey", () => authorizedKey({ user: "u", key: [] }), /key/],
    ["access.authorizedKey", () => authorizedKey({ user: "u", key: KEY, state: "absent", exclusive: true }), /"exclusive" only applies/],
    ["access.authorizedKey", () => authorizedKey({ user: "u", key: KEY, options: "no-pty, from=x" }), /"options" must be comma-separated/],
    ["access.sudoers", () => sudoers({ name: "a.b", user: "u" }), /"name" must use only letters/],
    ["access.sudoers", () => sudoers({ name: "x" }), /exactly one of parameters "user" and "group"/],
    ["access.sudoers", () => sudoers({ name: "x", user: "u", content: "u ALL=(ALL) ALL" }), /either "content" or a rule/],
    [
      "access.sudoers",
      () => sudoers({ name: "x", user: "u", commands: "systemctl restart x" }),
      /"commands" must hold "ALL" or absolute paths/,
    ],
    ["access.sshdConfig", () => sshdConfig({ name: "x" }), /"settings" is required/],
    ["access.sshdConfig", () => sshdConfig({ name: "x.y", settings: { X11Forwarding: false } }), /"name" must use only letters/],
    ["access.sshdConfig", () => sshdConfig({ name: "x", settings: { Match: "User deploy" } }), /cannot hold "Match"/],
    ["access.sshdConfig", () => sshdConfig({ name: "x", settings: { PasswordAuthentication: { no: 1 } as never } }), /settings/],
    ["access.reloadSshd", () => reloadSshd({ service: "ssh; reboot" }), /service/],
  ])("%s: %s", (task, call, message) => {
    expect(rejection(call, task)).toMatch(message);
  });
});
