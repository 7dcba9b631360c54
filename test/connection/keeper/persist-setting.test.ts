import type { SshSpec } from "../../../lib/core/connection.js";
import { persistSeconds } from "../../../lib/connection/keeper/persist-setting.js";

const spec: SshSpec = { kind: "ssh", host: "h", port: 22, user: "u", hostKeyPolicy: "strict", connectTimeoutMs: 10000, connectRetries: 2 };

describe("persistSeconds()", () => {
  test.each<[string, Partial<SshSpec>, NodeJS.ProcessEnv, number]>([
    ["the inventory's value first", { persistSeconds: 5 }, { BOSUN_SSH_PERSIST: "30", CI: "true" }, 5],
    ["the inventory's 0 turns it off", { persistSeconds: 0 }, { BOSUN_SSH_PERSIST: "30" }, 0],
    ["then BOSUN_SSH_PERSIST", {}, { BOSUN_SSH_PERSIST: "30", CI: "true" }, 30],
    ["then 60 seconds, as Ansible's ControlPersist", {}, {}, 60],
    ["but not in a CI job", {}, { CI: "true" }, 0],
    ["CI=false is not a CI job", {}, { CI: "false" }, 60],
  ])("%s", (_name, extra, env, expected) => {
    expect(persistSeconds({ ...spec, ...extra }, env)).toBe(expected);
  });

  test("a malformed BOSUN_SSH_PERSIST is an error naming it", () => {
    expect(() => persistSeconds(spec, { BOSUN_SSH_PERSIST: "soon" })).toThrow(
      'BOSUN_SSH_PERSIST must be a number of seconds (0: off), not "soon"',
    );
  });
});
