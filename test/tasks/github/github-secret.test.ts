/** githubSecret against a local stand-in for the GitHub REST API (GitHub is not reachable here). */
import { secret } from "../../../lib/core/secrets.js";
import { githubSecret, sealForPublicKey } from "../../../lib/tasks/github/index.js";
import { startGithubStandIn, type GithubStandIn } from "../../support/stand-ins/github.js";
import { controllerHost, everythingPrinted } from "../../support/stand-ins/controller-host.js";

const TOKEN = "github_pat_11ABCDEFG0123456789_zYxWvUtSrQpOnMlKjIhGfEdCbA";
const VALUE = "-----BEGIN OPENSSH PRIVATE KEY-----\ndeploy-key-s3cr3t-body-Qw8\n-----END OPENSSH PRIVATE KEY-----\n";
let gh: GithubStandIn;
beforeEach(async () => {
  gh = await startGithubStandIn(TOKEN, ["acme/cfa"]);
});
afterEach(() => gh.close());

const call = (extra: Record<string, unknown> = {}) =>
  githubSecret({ repo: "acme/cfa", name: "DEPLOY_SSH_KEY", value: secret(VALUE), token: secret(TOKEN), apiBase: gh.apiBase, ...extra });
const expectedHeaders = {
  authorization: `Bearer ${TOKEN}`,
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
  "user-agent": "bosun",
};

describe("githubSecret() against a local stand-in for the GitHub REST API", () => {
  test("githubSecret() GETs the public key and PUTs a sealed box that opens, with the stand-in's key pair, to the value", async () => {
    const run = controllerHost();
    const r = await run.run(call());
    expect(r).toMatchObject({ status: "changed", output: { created: true }, message: "created secret DEPLOY_SSH_KEY in acme/cfa" });
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      "GET /repos/acme/cfa/actions/secrets/public-key",
      "PUT /repos/acme/cfa/actions/secrets/DEPLOY_SSH_KEY",
    ]);
    for (const q of gh.requests) expect(q.headers).toMatchObject(expectedHeaders);
    const put = gh.requests[1]!;
    expect(put.headers["content-type"]).toBe("application/json");
    const body = put.json as { encrypted_value: string; key_id: string };
    expect(Object.keys(body).sort()).toEqual(["encrypted_value", "key_id"]);
    expect(body.key_id).toBe(gh.keyId);
    expect(gh.open(body.encrypted_value)).toBe(VALUE);
    expect(put.body).not.toContain("deploy-key-s3cr3t");
    expect(run.commands).toEqual([]);
  });

  test("githubSecret() reports changed on every run, because GitHub never returns a secret's value", async () => {
    const run = controllerHost();
    await run.run(call());
    const again = await run.run(call());
    expect(again).toMatchObject({ status: "changed", output: { created: false }, message: "updated secret DEPLOY_SSH_KEY in acme/cfa" });
    const boxes = gh.requests.filter((q) => q.method === "PUT").map((q) => (q.json as { encrypted_value: string }).encrypted_value);
    expect(boxes[0]).not.toBe(boxes[1]);
    expect(boxes.map((b) => gh.open(b))).toEqual([VALUE, VALUE]);
  });

  test("githubSecret() with onlyIfMissing creates a missing secret, then leaves it alone (ok) after one GET", async () => {
    const run = controllerHost();
    expect((await run.run(call({ onlyIfMissing: true }))).status).toBe("changed");
    const before = gh.requests.length;
    const again = await run.run(call({ onlyIfMissing: true, value: secret("another value entirely") }));
    expect(again).toMatchObject({
      status: "ok",
      message: "secret DEPLOY_SSH_KEY exists in acme/cfa (its value cannot be read; onlyIfMissing leaves it)",
    });
    expect(gh.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(["GET /repos/acme/cfa/actions/secrets/DEPLOY_SSH_KEY"]);
    expect(gh.open(gh.secrets.get("acme/cfa/DEPLOY_SSH_KEY")!.encryptedValue)).toBe(VALUE);
  });

  test("githubSecret() in check mode reads the public key and writes nothing", async () => {
    const run = controllerHost({ check: true });
    const r = await run.run(call());
    expect(r.status).toBe("changed");
    expect(gh.requests.map((q) => q.method)).toEqual(["GET"]);
    expect(gh.secrets.size).toBe(0);
  });

  test("githubSecret() fails with GitHub's message for a bad token or an unknown repository, and never prints a secret", async () => {
    const run = controllerHost();
    const wrong = "ghp_wrongTokenValue0123456789abcdefABCD";
    const r1 = await run.run(call({ token: secret(wrong) }));
    expect(r1.message).toBe(
      "Cannot read the Actions public key of acme/cfa: status 401: Bad credentials\n  hint: check the token: it needs write access to this repository's Actions secrets",
    );
    const r2 = await run.run(call({ repo: "acme/other" }));
    expect(r2.message).toContain("Cannot read the Actions public key of acme/other: status 404: Not Found");
    await run.run(call());
    const printed = everythingPrinted(run);
    for (const s of [TOKEN, wrong, "deploy-key-s3cr3t-body-Qw8"]) expect(printed).not.toContain(s);
  });

  test("githubSecret() rejects bad parameters before any request, naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ repo: "acme" }, 'parameter "repo" must be "owner/name"'],
      [{ name: "1ST" }, 'parameter "name" must hold only letters, digits and "_"'],
      [{ name: "DEPLOY-KEY" }, 'parameter "name" must hold only letters, digits and "_"'],
      [{ name: "GITHUB_TOKEN" }, 'parameter "name" cannot start with GITHUB_'],
      [{ apiBase: "api.github.com" }, 'parameter "apiBase" must be an http'],
      [{ visibility: "all" }, 'unknown parameter "visibility"'],
    ];
    for (const [extra, message] of bad) expect(() => call(extra)).toThrow(`Cannot use github.secret: ${message}`);
    expect(gh.requests).toEqual([]);
  });

  test("sealForPublicKey() refuses a key of the wrong size", async () => {
    await expect(sealForPublicKey("x", Buffer.from("short").toString("base64"))).rejects.toThrow("the public key is 5 bytes, expected 32");
  });
});
