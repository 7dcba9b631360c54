/**
 * The deploy playbook's own logic, without hosts: variables, release history, the lock's records,
 * preflight parsing, promotion agreement, deploy.env, and the example inventories and bundle.
 * The flow itself runs against lab hosts in deploy.e2e.test.ts.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { usage } from "../../lib/cli/args.js";
import { loadInventory } from "../../lib/inventory/index.js";
import { deploy, DEPLOY_OPTIONS } from "../../playbooks/deploy/playbook.js";
import { failureReason } from "../../playbooks/deploy/failure.js";
import { liveRelease, parseHistory, previousGoodRelease, type ReleaseRecord } from "../../playbooks/deploy/history.js";
import { describeHolder, holderCommand, parseHeldLock, releaseLockCommand } from "../../playbooks/deploy/lock.js";
import { parseDeployState, parseEnvFile, PROBE_TAG } from "../../playbooks/deploy/preflight.js";
import { agreedRelease } from "../../playbooks/deploy/promotion.js";
import { deployEnvContent, deployEnvFor, deployEnvTag } from "../../playbooks/deploy/release-env.js";
import { deploySettings, gatesFor } from "../../playbooks/deploy/vars.js";

const BASE = { app_dir: "/srv/cfa/", registry_image: "registry.gitlab.com/acme/cfa" };
const rec = (tag: string, result: ReleaseRecord["result"], extra: Partial<ReleaseRecord> = {}): ReleaseRecord => ({
  time: "2024-05-01T10:00:00.000Z",
  tag,
  result,
  action: "deploy",
  who: "ci",
  ...extra,
});
const lines = (...records: ReleaseRecord[]) => records.map((r) => JSON.stringify(r));

describe("deploySettings()", () => {
  test("fills in defaults from app_dir and registry_image", () => {
    const s = deploySettings({ ...BASE, tag: "sha-abc123" });
    expect(s).toMatchObject({
      appDir: "/srv/cfa",
      composeFiles: ["compose.yaml"],
      projectName: "cfa",
      registry: "registry.gitlab.com",
      keepImages: 3,
      historyKeep: 100,
      lockWait: 300,
      lockStaleMinutes: 30,
      rollback: false,
      breakLock: false,
      readiness: [],
    });
    expect(s.deployer).toMatch(/.+@.+/);
  });

  test("reads the playbook options: --services split, --rollback and --break-lock as booleans, -e numbers as text", () => {
    const s = deploySettings({
      ...BASE,
      rollback: true,
      services: "api-gateway,portals",
      "break-lock": "yes",
      lock_wait: "60",
      backup: { service: "postgres", database: "cfa" },
    });
    expect(s).toMatchObject({
      rollback: true,
      services: ["api-gateway", "portals"],
      breakLock: true,
      lockWait: 60,
      backup: { service: "postgres", database: "cfa", user: "postgres", keep: 7 },
    });
  });

  test("wants exactly one of --tag, --rollback and --promote-from", () => {
    expect(() => deploySettings(BASE, "cfa2")).toThrow("Cannot deploy: no release given");
    expect(() => deploySettings({ ...BASE, tag: "v1", rollback: true })).toThrow("Cannot deploy: --tag and --rollback exclude each other");
  });

  test("names a bad variable", () => {
    expect(() => deploySettings({ ...BASE, tag: "sha abc" })).toThrow(/Cannot deploy: variable "tag" must match pattern/);
    expect(() => deploySettings({ ...BASE, tag: "v1", readiness: [{ service: "api", url: "ftp://x" }] })).toThrow(
      /variable "readiness.0.url"/,
    );
    expect(() => deploySettings({ ...BASE, tag: "v1", backup: { service: "db" } })).toThrow(/missing required variable "backup.database"/);
    expect(() => deploySettings({ app_dir: "/srv/cfa", tag: "v1" })).toThrow(/missing required variable "registry_image"/);
  });

  test("refuses a registry user without a password", () => {
    expect(() => deploySettings({ ...BASE, tag: "v1", registry_user: "ci" })).toThrow(/registry_user is set but registry_password is not/);
  });

  test("gatesFor() keeps the gates of the services deployed", () => {
    const s = deploySettings({
      ...BASE,
      tag: "v1",
      readiness: [
        { service: "api", url: "http://127.0.0.1/a" },
        { service: "web", url: "http://127.0.0.1/w" },
      ],
    });
    expect(gatesFor(s, undefined)).toHaveLength(2);
    expect(gatesFor(s, ["web"]).map((g) => g.service)).toEqual(["web"]);
  });
});

describe("release history", () => {
  test("parseHistory() skips blank, cut and foreign lines", () => {
    const h = parseHistory(["", ...lines(rec("v1", "success")), '{"tag":"v2","res', '{"hello":1}', ...lines(rec("v2", "failed"))]);
    expect(h.map((r) => `${r.tag} ${r.result}`)).toEqual(["v1 success", "v2 failed"]);
  });

  test("the live release is the newest success; a failure after it does not change it", () => {
    expect(liveRelease(parseHistory(lines(rec("v1", "success"), rec("v2", "success"), rec("broken", "failed"))))?.tag).toBe("v2");
    expect(liveRelease([])).toBeUndefined();
  });

  test("previousGoodRelease() is the newest success with another tag; rolling back twice returns (like cd -)", () => {
    const h = parseHistory(lines(rec("v1", "success"), rec("v2", "success"), rec("broken", "failed"), rec("v2", "success")));
    expect(previousGoodRelease(h)?.tag).toBe("v1");
    const after = [...h, rec("v1", "success", { action: "rollback" })];
    expect(previousGoodRelease(after)?.tag).toBe("v2");
    expect(previousGoodRelease(parseHistory(lines(rec("v1", "success"), rec("v1", "success"))))).toBeUndefined();
  });
});

describe("deploy lock", () => {
  test("parseHeldLock() reads the owner record and the age; describeHolder() says who, what, which process and since when", () => {
    const held = parseHeldLock(['{"pid":4242,"who":"alice","tag":"sha-1","since":"2024-05-01T10:00:00.000Z","token":"ab"}', "", "age=185"]);
    expect(held).toEqual({
      owner: { pid: 4242, who: "alice", tag: "sha-1", since: "2024-05-01T10:00:00.000Z", token: "ab" },
      ageSeconds: 185,
    });
    expect(describeHolder(held)).toBe("alice (tag sha-1, pid 4242) since 2024-05-01T10:00:00.000Z, 3 min ago");
    expect(describeHolder(parseHeldLock(["garbage", "age=7"]))).toBe(
      "an unknown deploy (its lock file is empty or unreadable), taken 7s ago",
    );
    expect(describeHolder(parseHeldLock(['{"who":"old","tag":"v0","since":"x"}', "age=60"], true))).toBe(
      "old (tag v0, an older bosun's lock directory) since x, 1 min ago",
    );
  });

  test("the holder takes the lock without waiting, names itself with its pid and holds it with a heartbeat in its own sh", () => {
    const text = holderCommand("/srv/cfa", { who: "ci", tag: "v1", since: "t", token: "00ff" }).text;
    expect(text.startsWith("sh -c ")).toBe(true);
    expect(text).toContain("flock -n 9");
    expect(text).toContain(`"who":"ci","tag":"v1","since":"t","token":"00ff"}`);
    expect(text).toContain("while printf .; do sleep 1 9>&- & wait $!; done");
  });

  test("the release command stops the holder only when the lock file holds our token", () => {
    expect(releaseLockCommand({ appDir: "/srv/cfa", token: "00ff" }).text).toBe(
      `f=/srv/cfa/.bosun/deploy.lock; if grep -qF -- '"token":"00ff"' "$f" 2>/dev/null; then pid=$(sed -n 's/^{"pid":\\([0-9]*\\),.*/\\1/p' "$f"); [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; echo released; else echo not-ours; fi`,
    );
  });
});

describe("preflight", () => {
  const section = (name: string, ...body: string[]) => [`@@bosun:${name}`, ...body];
  const probe = (name: string, exit: number, ...body: string[]) => [...section(name, ...body), `@@bosun:${name}-exit`, String(exit)];
  const stdout = (...parts: string[][]) => `${parts.flat().join("\n")}\n`;

  test("parseDeployState() reads versions, missing files, deploy.env, history, lock and the images that follow ${TAG}", () => {
    const env = deployEnvContent("registry.example.com/cfa", "sha-1");
    const st = parseDeployState({
      stdout: stdout(
        probe("user", 0, "deploy"),
        probe("docker", 0, "24.0.7"),
        probe("compose", 0, "2.26.1"),
        section("appdir"),
        section("missing", ".env"),
        section("deployenv", `content ${Buffer.from(env).toString("base64")}`),
        section("history", ...lines(rec("sha-1", "success"))),
        section("lock", '{"who":"bob","tag":"sha-2","since":"x","token":"1"}', "", "age=30"),
        probe(
          "images",
          0,
          `registry.example.com/cfa/api:${PROBE_TAG}`,
          "postgres:16-alpine",
          `registry.example.com/cfa/migrator:${PROBE_TAG}`,
        ),
      ),
    });
    expect(st).toMatchObject({
      user: "deploy",
      docker: "24.0.7",
      compose: "2.26.1",
      appDirExists: true,
      missing: [".env"],
      deployEnv: env,
    });
    expect(st.history.map((r) => r.tag)).toEqual(["sha-1"]);
    expect(st.lock).toMatchObject({ owner: { who: "bob" }, ageSeconds: 30 });
    expect(st.taggedRepositories).toEqual(["registry.example.com/cfa/api", "registry.example.com/cfa/migrator"]);
    expect(st.configError).toBeUndefined();
  });

  test("parseDeployState() reports what does not work: docker, compose, the app dir, the bundle", () => {
    const st = parseDeployState({
      stdout: stdout(
        probe("user", 0, "deploy"),
        probe("docker", 1, "permission denied while trying to connect"),
        probe("compose", 1, "docker: 'compose' is not a docker command."),
      ),
    });
    expect(st).toMatchObject({
      dockerError: "permission denied while trying to connect",
      composeError: "docker: 'compose' is not a docker command.",
      appDirExists: false,
      history: [],
      taggedRepositories: [],
    });
    expect(st.deployEnv).toBeUndefined();
    const bad = parseDeployState({
      stdout: stdout(
        probe("docker", 0, "24"),
        section("appdir"),
        section("deployenv", "absent"),
        probe("images", 15, "required variable POSTGRES_PASSWORD is missing a value"),
      ),
    });
    expect(bad).toMatchObject({ configError: "required variable POSTGRES_PASSWORD is missing a value", taggedRepositories: [] });
    expect(bad.deployEnv).toBeUndefined();
  });

  test("parseEnvFile() reads KEY=value lines", () => {
    expect(parseEnvFile("# c\nREGISTRY_IMAGE=r/x\n\nTAG=v1\n")).toEqual({ REGISTRY_IMAGE: "r/x", TAG: "v1" });
  });
});

describe("deploy.env", () => {
  test("names REGISTRY_IMAGE and TAG, with no timestamp", () => {
    const text = deployEnvContent("registry.example.com/cfa", "sha-abc123");
    expect(text).toMatch(/\nREGISTRY_IMAGE=registry\.example\.com\/cfa\nTAG=sha-abc123\n$/);
    expect(deployEnvContent("registry.example.com/cfa", "sha-abc123")).toBe(text);
    expect(deployEnvTag(text)).toBe("sha-abc123");
  });

  test("deployEnvFor() restores the previous file exactly when it named the tag", () => {
    const edited = "REGISTRY_IMAGE=old/place\nTAG=v1\n";
    expect(deployEnvFor("v1", "new/place", edited)).toBe(edited);
    expect(deployEnvFor("v2", "new/place", edited)).toBe(deployEnvContent("new/place", "v2"));
    expect(deployEnvFor("v2", "new/place", undefined)).toBe(deployEnvContent("new/place", "v2"));
  });
});

describe("promotion and failures", () => {
  test("agreedRelease() wants one live tag on every source host", () => {
    const live = (entries: [string, ReleaseRecord | undefined][]) => new Map(entries);
    expect(
      agreedRelease(
        "staging",
        live([
          ["s1", rec("v2", "success", { sha: "ab12" })],
          ["s2", rec("v2", "success")],
        ]),
      ).release,
    ).toMatchObject({ tag: "v2", sha: "ab12" });
    expect(
      agreedRelease(
        "staging",
        live([
          ["s1", rec("v2", "success")],
          ["s2", rec("v3", "success")],
        ]),
      ).problem,
    ).toBe("the hosts of staging run different releases: s1 v2, s2 v3");
    expect(agreedRelease("staging", live([["s1", undefined]])).problem).toBe(
      "s1 of staging has no successful release in .bosun/releases.jsonl",
    );
    expect(agreedRelease("staging", live([])).problem).toBe("inventory staging has no hosts");
  });

  test("failureReason() keeps the first and last line of a task's message, without hints", () => {
    expect(failureReason("Cannot run migrator: exit 1\n Container db Running\nmigration 42 failed\n  hint: pass allowFailure")).toBe(
      "Cannot run migrator: exit 1: migration 42 failed",
    );
    expect(failureReason("Cannot get status 200\n  hint: check the logs")).toBe("Cannot get status 200");
    expect(failureReason(undefined)).toBe("failed");
  });
});

describe("the playbook, the inventories and the cfa bundle", () => {
  test("deploy declares its options, and --help lists them", () => {
    expect(Object.keys(deploy.options)).toEqual(["tag", "rollback", "promote-from", "services", "sha", "break-lock"]);
    const help = usage(deploy, "tsx playbooks/deploy.ts");
    for (const name of Object.keys(DEPLOY_OPTIONS)) expect(help).toContain(`--${name}`);
  });

  test.each(["cfa2", "staging", "production"])(
    "inventory/%s.yml loads and gives valid deploy settings, its gates naming services of the cfa bundle",
    async (name) => {
      const inventory = await loadInventory(name, { cwd: process.cwd(), env: { CI_REGISTRY_PASSWORD: "not-a-real-password" } });
      const services = Object.keys((parse(readFileSync("examples/cfa-bundle/compose.yaml", "utf8")) as { services: object }).services);
      for (const host of inventory.hosts.values()) {
        expect(host.vars.ansible_host).toMatch(/^203\.0\.113\.\d+$/);
        const s = deploySettings({ ...host.vars, tag: "sha-abc123" }, host.name);
        expect(s).toMatchObject({
          appDir: "/srv/cfa",
          projectName: "cfa",
          registryUser: "gitlab-ci-token",
          migrator: { service: "migrator" },
          backup: { service: "postgres" },
        });
        expect(String(s.registryPassword)).toBe("***");
        expect(s.readiness.length).toBeGreaterThan(5);
        for (const gate of s.readiness) expect(services).toContain(gate.service);
      }
    },
  );

  test("the cfa bundle runs the twelve services, application images as ${REGISTRY_IMAGE}/<service>:${TAG}, the migrator in a profile", () => {
    const compose = parse(readFileSync("examples/cfa-bundle/compose.yaml", "utf8")) as {
      services: Record<string, { image: string; profiles?: string[] }>;
    };
    const apps = ["api-gateway", "identity", "issuance", "registry", "settlement", "compliance", "bank-nominal", "portals"];
    expect(Object.keys(compose.services).sort()).toEqual([...apps, "keycloak", "migrator", "minio", "postgres", "redis"].sort());
    for (const app of [...apps, "migrator"])
      expect(compose.services[app]!.image).toMatch(new RegExp(`^\\$\\{REGISTRY_IMAGE[^}]*\\}/${app}:\\$\\{TAG[^}]*\\}$`));
    expect(compose.services.migrator!.profiles).toEqual(["migrate"]);
  });
});
