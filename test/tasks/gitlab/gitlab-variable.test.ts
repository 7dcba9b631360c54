/**
 * gitlabVariable against a local stand-in for GitLab's project variables API (GitLab is not
 * reachable here). The stand-in checks what GitLab checks: the token, the URL-encoded project path,
 * the masked-value rule, one key per environment scope; its defaults are GitLab's (not protected,
 * not masked), so a test sees the task send the flags itself.
 */
import { secret } from "../../../lib/core/secrets.js";
import { gitlabVariable, maskedValueProblem } from "../../../lib/tasks/gitlab/index.js";
import { startGitlabStandIn, type GitlabStandIn } from "../../support/stand-ins/gitlab.js";
import { controllerHost, everythingPrinted } from "../../support/stand-ins/controller-host.js";

const TOKEN = "glpat-STANDin0123456789abcd";
const KEY_B64 = Buffer.from("-----BEGIN OPENSSH PRIVATE KEY-----\ngitlab-key-body-Wm4\n-----END OPENSSH PRIVATE KEY-----\n").toString(
  "base64",
);
let gl: GitlabStandIn;
beforeEach(async () => {
  gl = await startGitlabStandIn(TOKEN, { "acme/cfa": 4242 });
});
afterEach(() => gl.close());

const call = (extra: Record<string, unknown> = {}) =>
  gitlabVariable({
    project: "acme/cfa",
    key: "BOSUN_SSH_PRIVATE_KEY_B64",
    value: secret(KEY_B64),
    token: secret(TOKEN),
    apiBase: gl.apiBase,
    ...extra,
  });
const writes = () => gl.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`);

describe("gitlabVariable() against a local stand-in for GitLab's project variables API", () => {
  test("gitlabVariable() creates a masked, protected, raw variable, and a second run reports ok after one GET", async () => {
    const run = controllerHost();
    const first = await run.run(call());
    expect(first).toMatchObject({
      status: "changed",
      output: { created: true },
      message: "create variable BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa (scope *) (env_var, masked, protected, raw)",
    });
    expect(gl.variable("acme/cfa", "BOSUN_SSH_PRIVATE_KEY_B64")).toEqual({
      key: "BOSUN_SSH_PRIVATE_KEY_B64",
      value: KEY_B64,
      variable_type: "env_var",
      protected: true,
      masked: true,
      raw: true,
      environment_scope: "*",
      description: null,
    });
    expect(gl.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      "GET /api/v4/projects/acme%2Fcfa/variables/BOSUN_SSH_PRIVATE_KEY_B64?filter%5Benvironment_scope%5D=*",
      "POST /api/v4/projects/acme%2Fcfa/variables",
    ]);
    for (const q of gl.requests) expect(q.headers["private-token"]).toBe(TOKEN);
    const before = gl.requests.length;
    const second = await run.run(call());
    expect(second).toMatchObject({ status: "ok", changed: false });
    expect(gl.requests.slice(before).map((q) => q.method)).toEqual(["GET"]);
    expect(run.commands).toEqual([]);
  });

  test("gitlabVariable() updates a variable whose value or flags differ, naming what differs but never the value", async () => {
    const run = controllerHost();
    await run.run(call({ masked: false, protected: false }));
    const r = await run.run(call({ value: secret(`${KEY_B64}AA==`) }));
    expect(r).toMatchObject({ status: "changed", output: { created: false } });
    expect(r.message).toBe(
      "update variable BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa (scope *): value, protected false → true, masked false → true",
    );
    expect(gl.variable("acme/cfa", "BOSUN_SSH_PRIVATE_KEY_B64")).toMatchObject({ value: `${KEY_B64}AA==`, masked: true, protected: true });
    expect(writes()).toEqual([
      "POST /api/v4/projects/acme%2Fcfa/variables",
      "PUT /api/v4/projects/acme%2Fcfa/variables/BOSUN_SSH_PRIVATE_KEY_B64?filter%5Benvironment_scope%5D=*",
    ]);
    expect(everythingPrinted(run)).not.toContain(KEY_B64);
  });

  test("gitlabVariable() keeps one variable per environment scope, by project id too", async () => {
    const run = controllerHost();
    await run.run(call({ project: "4242", environmentScope: "staging" }));
    await run.run(call({ environmentScope: "production", value: secret("production-value-123") }));
    expect(gl.variable("acme/cfa", "BOSUN_SSH_PRIVATE_KEY_B64", "staging")?.value).toBe(KEY_B64);
    expect(gl.variable("acme/cfa", "BOSUN_SSH_PRIVATE_KEY_B64", "production")?.value).toBe("production-value-123");
    const again = await run.run(call({ environmentScope: "production", value: secret("production-value-123") }));
    expect(again.status).toBe("ok");
  });

  test("gitlabVariable() stores a file variable unmasked when asked (known_hosts lines cannot be masked)", async () => {
    const lines = "cfa2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOk3\n";
    const run = controllerHost();
    await run.run(call({ key: "BOSUN_SSH_KNOWN_HOSTS", value: lines, masked: false, variableType: "file" }));
    expect(gl.variable("acme/cfa", "BOSUN_SSH_KNOWN_HOSTS")).toMatchObject({
      value: lines,
      variable_type: "file",
      masked: false,
      protected: true,
    });
    expect((await run.run(call({ key: "BOSUN_SSH_KNOWN_HOSTS", value: lines, masked: false, variableType: "file" }))).status).toBe("ok");
  });

  test("gitlabVariable() refuses, before any request, a masked value GitLab would refuse; the stand-in refuses it too", async () => {
    expect(() => call({ value: secret("short") })).toThrow(
      'Cannot use gitlab.variable: parameter "value" of BOSUN_SSH_PRIVATE_KEY_B64 cannot be masked by GitLab: it has 5 characters, fewer than 8',
    );
    expect(() => call({ value: secret("-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n") })).toThrow(
      "cannot be masked by GitLab: it has more than one line (encode it in base64, or set masked: false",
    );
    expect(gl.requests).toEqual([]);
    const res = await fetch(`${gl.apiBase}/projects/4242/variables`, {
      method: "POST",
      headers: { "private-token": TOKEN, "content-type": "application/json" },
      body: JSON.stringify({ key: "X_TOKEN", value: "has space 123", masked: true }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: { value: ["is invalid"] } });
  });

  test("gitlabVariable() fails with GitLab's message and a hint for a bad token or an unknown project, and never prints a secret", async () => {
    const run = controllerHost();
    const wrong = "glpat-wrongWRONGwrong1234";
    const r1 = await run.run(call({ token: secret(wrong) }));
    expect(r1.message).toBe(
      'Cannot read variable BOSUN_SSH_PRIVATE_KEY_B64 in acme/cfa (scope *): status 401: "401 Unauthorized"\n  hint: check the token: it needs the api scope and the Maintainer role on the project',
    );
    const r2 = await run.run(call({ project: "acme/other" }));
    expect(r2.message).toContain('status 404: "404 Project Not Found"');
    const printed = everythingPrinted(run);
    for (const s of [TOKEN, wrong, KEY_B64]) expect(printed).not.toContain(s);
  });

  test("gitlabVariable() rejects bad parameters naming the parameter", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ project: "acme" }, 'parameter "project" must be a numeric id or a path'],
      [{ key: "DEPLOY-KEY" }, 'parameter "key" must hold only letters, digits and "_"'],
      [{ variableType: "secret" }, 'parameter "variableType" must be one of "env_var", "file"'],
      [{ apiBase: "gitlab.com" }, 'parameter "apiBase" must be an http'],
    ];
    for (const [extra, message] of bad) expect(() => call(extra)).toThrow(`Cannot use gitlab.variable: ${message}`);
  });

  test("maskedValueProblem() follows GitLab's rule", () => {
    expect(maskedValueProblem("abcDEF12+/=@:.~-_")).toBeUndefined();
    expect(maskedValueProblem("deploy")).toBe("it has 6 characters, fewer than 8");
    expect(maskedValueProblem("pass word!")).toBe(
      "it contains whitespace, it contains characters other than A-Z a-z 0-9 + / = @ : . ~ - _",
    );
  });
});
