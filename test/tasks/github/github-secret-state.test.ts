/**
 * githubSecret with `stateFile` (a fingerprint kept on the controller) against a local stand-in for
 * the GitHub REST API: GitHub is not reachable here. The stand-in opens every sealed box it is sent
 * with its repository key and refuses one that does not open, as GitHub does.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secret } from "../../../lib/core/secrets.js";
import { githubSecret, sealForPublicKey } from "../../../lib/tasks/github/index.js";
import { startGithubStandIn, type GithubStandIn } from "../../support/stand-ins/github.js";
import { controllerHost, everythingPrinted } from "../../support/stand-ins/controller-host.js";

const TOKEN = "github_pat_11STATEFG0123456789_zYxWvUtSrQpOnMlKjIhGfEdCbA";
const VALUE = "deploy-host-203.0.113.77-Qx9";
let gh: GithubStandIn;
let dir: string;
let clock: Date;
beforeEach(async () => {
  clock = new Date("2026-12-07T08:00:00.000Z");
  gh = await startGithubStandIn(TOKEN, ["acme/cfa"], { now: () => clock });
  dir = await mkdtemp(join(tmpdir(), "bosun-gh-state-"));
});
afterEach(async () => {
  await gh.close();
  await rm(dir, { recursive: true, force: true });
});

const stateFile = () => join(dir, "state", "github-secrets.json");
const call = (extra: Record<string, unknown> = {}) =>
  githubSecret({
    repo: "acme/cfa",
    name: "DEPLOY_HOST",
    value: secret(VALUE),
    token: secret(TOKEN),
    apiBase: gh.apiBase,
    stateFile: stateFile(),
    ...extra,
  });
const puts = () => gh.requests.filter((q) => q.method === "PUT").length;

describe("githubSecret() with a state file, against a local stand-in for the GitHub REST API", () => {
  test("githubSecret() sets a missing secret, records its fingerprint, and a second run reports ok without a PUT", async () => {
    const run = controllerHost();
    const first = await run.run(call());
    expect(first).toMatchObject({ status: "changed", message: "created secret DEPLOY_HOST in acme/cfa" });
    expect(gh.open(gh.secrets.get("acme/cfa/DEPLOY_HOST")!.encryptedValue)).toBe(VALUE);
    const second = await run.run(call());
    expect(second).toMatchObject({
      status: "ok",
      changed: false,
      message: "secret DEPLOY_HOST in acme/cfa holds the value last set from this controller (fingerprint and updated_at match)",
    });
    expect(puts()).toBe(1);
    const file = await readFile(stateFile(), "utf8");
    expect(file).not.toContain(VALUE);
    expect(file).not.toContain(TOKEN);
    expect(JSON.parse(file)).toMatchObject({
      version: 1,
      secrets: { [`${gh.apiBase} acme/cfa DEPLOY_HOST`]: { updatedAt: "2026-12-07T08:00:00Z" } },
    });
    expect((await stat(stateFile())).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
  });

  test("githubSecret() sets the secret again when the value differs from the one recorded", async () => {
    const run = controllerHost();
    await run.run(call());
    const r = await run.run(call({ value: secret("deploy-host-198.51.100.9-Zk2") }));
    expect(r.status).toBe("changed");
    expect(puts()).toBe(2);
    expect(gh.open(gh.secrets.get("acme/cfa/DEPLOY_HOST")!.encryptedValue)).toBe("deploy-host-198.51.100.9-Zk2");
    expect((await run.run(call({ value: secret("deploy-host-198.51.100.9-Zk2") }))).status).toBe("ok");
  });

  test("githubSecret() sees a change made on GitHub later (updated_at moved) and sets the value again; in check mode it only says so", async () => {
    await controllerHost().run(call());
    clock = new Date("2026-12-07T09:15:00.000Z");
    const other = gh.secrets.get("acme/cfa/DEPLOY_HOST")!;
    gh.secrets.set("acme/cfa/DEPLOY_HOST", {
      ...other,
      encryptedValue: await sealForPublicKey("set in the web UI", (await publicKey()).key),
      updatedAt: "2026-12-07T09:15:00Z",
    });
    const checked = await controllerHost({ check: true }).run(call());
    expect(checked.status).toBe("changed");
    expect(checked.message).toBe(
      "set secret DEPLOY_HOST in acme/cfa: it was changed on GitHub since it was set from this controller (updated_at 2026-12-07T09:15:00Z, recorded 2026-12-07T08:00:00Z)",
    );
    expect(gh.open(gh.secrets.get("acme/cfa/DEPLOY_HOST")!.encryptedValue)).toBe("set in the web UI");
    const run = controllerHost();
    expect((await run.run(call())).status).toBe("changed");
    expect(gh.open(gh.secrets.get("acme/cfa/DEPLOY_HOST")!.encryptedValue)).toBe(VALUE);
    expect((await run.run(call())).status).toBe("ok");
  });

  test("githubSecret() sets a secret that exists but was never set from this controller, and one deleted on GitHub", async () => {
    await controllerHost().run(call({ stateFile: join(dir, "elsewhere.json") }));
    const run = controllerHost();
    const r = await run.run(call());
    expect(r).toMatchObject({
      status: "changed",
      message: `updated secret DEPLOY_HOST in acme/cfa (no fingerprint of it in ${stateFile()}: not set from this controller yet)`,
    });
    gh.secrets.delete("acme/cfa/DEPLOY_HOST");
    const checked = await controllerHost({ check: true }).run(call());
    expect(checked.message).toBe("set secret DEPLOY_HOST in acme/cfa: it does not exist");
    expect((await controllerHost().run(call())).message).toBe("created secret DEPLOY_HOST in acme/cfa");
    expect(gh.secrets.has("acme/cfa/DEPLOY_HOST")).toBe(true);
  });

  test("githubSecret() fails naming a state file it cannot read, with a hint, and never prints the value or token", async () => {
    await writeFile(join(dir, "broken.json"), "{ not json");
    const run = controllerHost();
    await run.run(call());
    const r = await run.run(call({ stateFile: join(dir, "broken.json") }));
    expect(r.status).toBe("failed");
    expect(r.message).toContain(`Cannot read the secret fingerprints in ${join(dir, "broken.json")}`);
    expect(r.message).toContain("hint: delete the file: every secret is then set once more");
    const printed = everythingPrinted(run);
    for (const s of [TOKEN, VALUE]) expect(printed).not.toContain(s);
  });

  test("the stand-in refuses a box that does not open with the repository key, as GitHub does", async () => {
    const { key_id } = await publicKey();
    const foreign = await sealForPublicKey(VALUE, Buffer.alloc(32, 7).toString("base64"));
    const res = await fetch(`${gh.apiBase}/repos/acme/cfa/actions/secrets/DEPLOY_HOST`, {
      method: "PUT",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ encrypted_value: foreign, key_id }),
    });
    expect(res.status).toBe(422);
    expect(gh.secrets.size).toBe(0);
  });

  test("githubSecret() refuses onlyIfMissing together with stateFile", () => {
    expect(() => call({ onlyIfMissing: true })).toThrow(
      'Cannot use github.secret: parameters "onlyIfMissing" and "stateFile" exclude each other',
    );
  });
});

async function publicKey(): Promise<{ key: string; key_id: string }> {
  const res = await fetch(`${gh.apiBase}/repos/acme/cfa/actions/secrets/public-key`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await res.json()) as { key: string; key_id: string };
}
