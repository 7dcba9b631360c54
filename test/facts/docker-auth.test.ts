import { authKey, encodeAuth, storedAuth } from "../../lib/facts/docker-auth.js";

describe("docker auth", () => {
  test("authKey() stores Docker Hub under its legacy URL and other registries under host[:port]", () => {
    expect(authKey("docker.io")).toBe("https://index.docker.io/v1/");
    expect(authKey("https://index.docker.io/v1/")).toBe("https://index.docker.io/v1/");
    expect(authKey("registry.lab.test:5000")).toBe("registry.lab.test:5000");
    expect(authKey("https://registry.gitlab.com/")).toBe("registry.gitlab.com");
  });

  test("encodeAuth() is base64 of user:password, as docker login stores it", () => {
    expect(encodeAuth("lab", "p:ss")).toBe(Buffer.from("lab:p:ss").toString("base64"));
  });

  test("storedAuth() finds the credential of a registry, whatever form its key takes", () => {
    const config = JSON.stringify({
      auths: { "registry.lab.test:5000": { auth: "YWJj" }, "https://registry.gitlab.com": { auth: "ZGVm" } },
    });
    expect(storedAuth(config, "registry.lab.test:5000")).toEqual({ kind: "auth", auth: "YWJj" });
    expect(storedAuth(config, "registry.gitlab.com")).toEqual({ kind: "auth", auth: "ZGVm" });
    expect(storedAuth(config, "other.example.com")).toEqual({ kind: "none" });
  });

  test("storedAuth() says so when no file, an empty file or an entry without auth", () => {
    expect(storedAuth(undefined, "r")).toEqual({ kind: "none" });
    expect(storedAuth("", "r")).toEqual({ kind: "none" });
    expect(storedAuth('{"auths":{"r":{}}}', "r")).toEqual({ kind: "none" });
  });

  test("storedAuth() reports a credential helper, whose secrets cannot be compared", () => {
    expect(storedAuth('{"credsStore":"pass"}', "r")).toEqual({ kind: "helper", helper: "pass" });
    expect(storedAuth('{"credHelpers":{"r":"ecr-login"}}', "r")).toEqual({ kind: "helper", helper: "ecr-login" });
  });

  test("storedAuth() throws on a config.json that is not JSON", () => {
    expect(() => storedAuth("{nope", "r")).toThrow();
  });
});
