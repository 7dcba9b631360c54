import { authMethods } from "../../lib/connection/auth-methods.js";

test("logins try the configured methods in ssh2's order, without the round trip of a first 'none' request", () => {
  expect(authMethods({ privateKey: "KEY" })).toEqual(["publickey"]);
  expect(authMethods({ password: "pw", privateKey: "KEY", agent: "/run/agent.sock" })).toEqual(["password", "publickey", "agent"]);
  expect(authMethods({ agent: "/run/agent.sock" })).toEqual(["agent"]);
  expect(authMethods({})).toEqual([]); // nothing configured: ssh2's default ("none" only) decides
});
