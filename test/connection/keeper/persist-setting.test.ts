import type { SshSpec } from "../../../lib/core/connection.js";
import { persistSetting } from "../../../lib/connection/keeper/persist-setting.js";

const spec: SshSpec = { kind: "ssh", host: "h", port: 22, user: "u", hostKeyPolicy: "strict", connectTimeoutMs: 10000, connectRetries: 2 };

describe("persistSetting()", () => {
  const inventory = "the inventory (bosun_ssh_persist or ControlPersist)";
  test.each<[string, Partial<SshSpec>, NodeJS.ProcessEnv, number, string]>([
    ["the inventory's value first", { persistSeconds: 5 }, { BOSUN_SSH_PERSIST: "30", CI: "true" }, 5, inventory],
    ["the inventory's 0 turns it off", { persistSeconds: 0 }, { BOSUN_SSH_PERSIST: "30" }, 0, inventory],
    ["then BOSUN_SSH_PERSIST", {}, { BOSUN_SSH_PERSIST: "30", CI: "true" }, 30, "BOSUN_SSH_PERSIST"],
    ["then 60 seconds, as Ansible's ControlPersist", {}, {}, 60, "the default"],
    ["but not in a CI job", {}, { CI: "true" }, 0, "CI is set"],
    ["CI=false is not a CI job", {}, { CI: "false" }, 60, "the default"],
  ])("%s", (_name, extra, env, seconds, from) => {
    expect(persistSetting({ ...spec, ...extra }, env)).toEqual({ seconds, from });
  });

  test("a malformed BOSUN_SSH_PERSIST is an error naming it", () => {
    expect(() => persistSetting(spec, { BOSUN_SSH_PERSIST: "soon" })).toThrow(
      'BOSUN_SSH_PERSIST must be a number of seconds (0: off), not "soon"',
    );
  });
});
