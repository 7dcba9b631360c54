import { spawnSync } from "node:child_process";
import { secret } from "../../../lib/core/secrets.js";
import { composeDown, composePull, composeRun, composeUp, dockerEngine, dockerLogin, imagePrune } from "../../../lib/tasks/docker/index.js";
import { fakeHost } from "../../support/host.js";

const P = { projectDir: "/srv/my app", files: ["compose.yaml", "compose.prod.yaml"], envFiles: [".env", "deploy.env"], projectName: "cfa" };
const b64 = (s: string) => Buffer.from(s).toString("base64");
// controller-tools: dash (-n: parses the script, runs nothing)
const dashParses = (text: string) => spawnSync("dash", ["-n", "-c", text]).status === 0;

describe("dockerLogin", () => {
  const config = (auth: string) => `{"auths":{"registry.lab.test:5000":{"auth":"${auth}"}}}`;
  const probe =
    (content: string | undefined, mode = "600") =>
    () => ({
      stdout: `@@bosun:dir\n/root/.docker\n@@bosun:stat\n${content === undefined ? "" : `${mode} root\n`}@@bosun:config\n${content === undefined ? "absent" : `content ${b64(content)}`}\n`,
    });

  test("dockerLogin() sends the password on stdin only, never in the command line", async () => {
    const { host, connection } = fakeHost({ respond: probe(undefined) });
    const r = await host.run(dockerLogin({ registry: "registry.lab.test:5000", username: "lab", password: secret("s3cret-pw") }));
    expect(r.status).toBe("changed");
    const login = connection.executed[1]!;
    expect(login.text).toContain("docker login --username lab --password-stdin registry.lab.test:5000");
    expect(login.text).toContain("chmod 0600");
    expect(login.text).not.toContain("s3cret-pw");
    expect(login.stdin).toBe("s3cret-pw");
  });

  test("dockerLogin() is unchanged, in one command, when config.json holds the same credential", async () => {
    const { host, connection } = fakeHost({ respond: probe(config(b64("lab:s3cret-pw"))) });
    const r = await host.run(dockerLogin({ registry: "registry.lab.test:5000", username: "lab", password: "s3cret-pw" }));
    expect(r).toMatchObject({ status: "ok", commands: 1 });
    expect(connection.executed).toHaveLength(1);
  });

  test("dockerLogin() logs in again when the password changed, and only fixes the mode when that is all", async () => {
    const other = await fakeHost({ respond: probe(config(b64("lab:old"))) }).host.run(
      dockerLogin({ registry: "registry.lab.test:5000", username: "lab", password: "new-pw" }),
    );
    expect(other.message).toMatch(/differs/);
    const { host, connection } = fakeHost({ respond: probe(config(b64("lab:pw1")), "644") });
    const r = await host.run(dockerLogin({ registry: "registry.lab.test:5000", username: "lab", password: "pw1" }));
    expect(r.status).toBe("changed");
    expect(connection.executed[1]?.text).toMatch(/^d=.*chmod 0600 -- "\$d\/config.json"$/);
    expect(connection.executed[1]?.stdin).toBeUndefined();
  });

  test("dockerLogin() calls are secret unless told otherwise: no diff, no output", () => {
    expect(dockerLogin({ registry: "r.example.com", username: "u", password: "p12" }).options.secret).toBe(true);
    expect(dockerLogin({ registry: "r.example.com", username: "u", password: "p12", secret: false }).options.secret).toBe(false);
  });

  test("dockerLogin() fails clearly on a config.json that is not JSON", async () => {
    const { host } = fakeHost({ respond: probe("{broken") });
    await expect(host.run(dockerLogin({ registry: "registry.lab.test:5000", username: "lab", password: "pw1" }))).rejects.toThrow();
    expect(host.results[0]?.message).toMatch(/config.json is not valid JSON/);
  });
});

describe("composeUp", () => {
  const ps = (id: string, health = "") =>
    `{"ID":"${id}","Name":"cfa-web-1","Service":"web","State":"running","Health":"${health}","Image":"app:v1"}`;
  const probe = (dry: string, rows: string) => `@@bosun:dry\n${dry}rc=0\n@@bosun:ps\n${rows}\n`;
  /** Answers the probe (dry run + ps) with `probeOut`, and the up script with `upOut`. */
  const respond =
    (probeOut: string, upOut = "") =>
    (text: string) => ({ stdout: text.includes("--dry-run") ? probeOut : upOut });

  test("composeUp() probes once (dry run and ps) and reports ok when compose would do nothing, in ONE command", async () => {
    const { host, connection } = fakeHost({ respond: respond(probe("", ps("a1", "healthy"))) });
    const r = await host.run(composeUp({ ...P, wait: true, waitTimeout: 60 }));
    expect(r).toMatchObject({ status: "ok", changed: false, commands: 1 });
    const text = connection.executed[0]!.text;
    expect(text).toContain(
      "cd -- '/srv/my app' && docker compose -p cfa -f compose.yaml -f compose.prod.yaml --env-file .env --env-file deploy.env --dry-run up -d --remove-orphans --pull never",
    );
    expect(dashParses(text)).toBe(true);
  });

  test("composeUp() runs up (ps, up, ps in one command) after the probe and reports the recreated container", async () => {
    const dry = " DRY-RUN MODE -  Container cfa-web-1  Recreate\n";
    const { host, connection } = fakeHost({
      respond: respond(probe(dry, ps("a1")), `@@bosun:before\n${ps("a1")}\n@@bosun:up\n@@bosun:after\n${ps("b2")}\n`),
    });
    const r = await host.run(composeUp({ ...P, services: ["web"], wait: true, waitTimeout: 60 }));
    expect(r).toMatchObject({ status: "changed", message: "recreated cfa-web-1", commands: 2 });
    expect(r.output?.recreated).toEqual(["cfa-web-1"]);
    expect(connection.executed[1]!.text).toContain("up -d --remove-orphans --wait --wait-timeout 60 web");
    expect(dashParses(connection.executed[1]!.text)).toBe(true);
  });

  test("composeUp() in check mode runs the same probe, never pulling, and says what compose would do", async () => {
    const dry = " DRY-RUN MODE -  Container cfa-web-1  Recreate\n";
    const { host, connection } = fakeHost({ check: true, respond: respond(probe(dry, ps("a1"))) });
    const r = await host.run(composeUp({ ...P, pull: "always" }));
    expect(r).toMatchObject({ status: "changed", message: "would recreate Container cfa-web-1" });
    expect(connection.executed).toHaveLength(1);
    expect(connection.executed[0]?.text).toContain("--dry-run up -d --remove-orphans --pull never");
  });

  test("composeUp() with wait runs up when a container is not healthy yet, though compose would change nothing", async () => {
    const { host } = fakeHost({ check: true, respond: respond(probe("", ps("a1", "starting"))) });
    const r = await host.run(composeUp({ ...P, wait: true }));
    expect(r).toMatchObject({ status: "changed", message: "wait for cfa-web-1 (starting)" });
  });

  test("composeUp() lets up decide when the dry run fails (an image not on the host yet)", async () => {
    const failed = "@@bosun:dry\nno such image: app:v1\nrc=1\n@@bosun:ps\n\n";
    const { host } = fakeHost({ check: true, respond: respond(failed) });
    const r = await host.run(composeUp({ ...P }));
    expect(r).toMatchObject({ status: "changed", message: "compose's dry run cannot tell (no such image: app:v1): up decides" });
  });
});

describe("composePull", () => {
  test("composePull() compares image ids before and after the pull in one command", async () => {
    const stdout = "@@bosun:before\nr/app:v2\t\nr/db:15\tsha256:d\n@@bosun:after\nr/app:v2\tsha256:a\nr/db:15\tsha256:d\n";
    const { host, connection } = fakeHost({ respond: () => ({ stdout }) });
    const r = await host.run(composePull({ ...P, policy: "missing" }));
    expect(r).toMatchObject({ status: "changed", commands: 1, output: { pulled: ["r/app:v2"] } });
    expect(connection.executed[0]?.text).toContain("pull --quiet --policy missing");
    expect(dashParses(connection.executed[0]!.text)).toBe(true);
    const same = await fakeHost({
      respond: () => ({ stdout: "@@bosun:before\nr/db:15\tsha256:d\n@@bosun:after\nr/db:15\tsha256:d\n" }),
    }).host.run(composePull(P));
    expect(same).toMatchObject({ status: "ok", output: { pulled: [] } });
  });

  test("composePull() in check mode reports only missing images as changes and notes moving tags", async () => {
    const listing = { stdout: "@@bosun:images\nr/app:v2\t\nr/db:15\tsha256:d\n" };
    const always = await fakeHost({ check: true, respond: () => listing }).host.run(composePull(P));
    expect(always.message).toBe("would pull (missing: r/app:v2) (a moving tag may still have new digests: r/db:15)");
    const present = await fakeHost({ check: true, respond: () => ({ stdout: "@@bosun:images\nr/db:15\tsha256:d\n" }) }).host.run(
      composePull({ ...P, policy: "missing" }),
    );
    expect(present.status).toBe("ok");
    // With every image present, check mode reports no change even under policy "always": it cannot know more without pulling.
    const presentAlways = await fakeHost({ check: true, respond: () => ({ stdout: "@@bosun:images\nr/db:15\tsha256:d\n" }) }).host.run(
      composePull(P),
    );
    expect(presentAlways.status).toBe("ok");
    expect(presentAlways.message).toMatch(/may still have new digests: r\/db:15/);
  });
});

describe("composeRun", () => {
  test("composeRun() returns the exit code and stdout, and puts Secret env values on stdin", async () => {
    const { host, connection } = fakeHost({ respond: () => ({ code: 0, stdout: "migrated to v2\n" }) });
    const r = await host.run(
      composeRun({ ...P, service: "migrator", command: ["migrate", "up"], env: { LEVEL: "debug", DB_PASSWORD: secret("db-pw-123") } }),
    );
    expect(r).toMatchObject({ status: "changed", output: { exitCode: 0, stdout: "migrated to v2\n" } });
    const run = connection.executed[0]!;
    expect(run.text).toContain("IFS= read -r DB_PASSWORD || exit 1; export DB_PASSWORD;");
    expect(run.text).toContain("run --rm -T -e LEVEL=debug -e DB_PASSWORD migrator migrate up");
    expect(run.text).not.toContain("db-pw-123");
    expect(run.stdin).toBe("db-pw-123\n");
  });

  test("composeRun() fails on a non-zero exit unless allowFailure", async () => {
    const failing = () => ({ code: 1, stdout: "", stderr: "Cannot migrate to v2: failing on purpose\n" });
    const { host } = fakeHost({ respond: failing });
    await expect(host.run(composeRun({ ...P, service: "migrator" }))).rejects.toThrow(
      /Cannot run migrator of compose project cfa: exit 1\nCannot migrate to v2/,
    );
    const allowed = await fakeHost({ respond: failing }).host.run(composeRun({ ...P, service: "migrator", allowFailure: true }));
    expect(allowed).toMatchObject({ status: "changed", output: { exitCode: 1 } });
  });

  test("composeRun() in check mode runs nothing", async () => {
    const { host, connection } = fakeHost({ check: true });
    const r = await host.run(composeRun({ ...P, service: "migrator" }));
    expect(r).toMatchObject({ status: "changed", message: "would run migrator" });
    expect(connection.executed).toHaveLength(0);
  });
});

describe("composeDown and imagePrune", () => {
  test("composeDown() is ok in one command when nothing of the project is left", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: "@@bosun:containers\n@@bosun:networks\n@@bosun:volumes\n" }) });
    expect(await host.run(composeDown({ ...P, volumes: true }))).toMatchObject({ status: "ok", commands: 1 });
  });

  test("composeDown() removes volumes only when asked", async () => {
    const { host, connection } = fakeHost({
      respond: () => ({ stdout: "@@bosun:containers\ncfa-db-1\n@@bosun:networks\ncfa_default\n@@bosun:volumes\ncfa_data\n" }),
    });
    const r = await host.run(composeDown({ ...P, volumes: true, timeout: 5 }));
    expect(r.output).toEqual({ containers: ["cfa-db-1"], networks: ["cfa_default"], volumes: ["cfa_data"] });
    expect(connection.executed[1]?.text).toMatch(/down --remove-orphans --volumes --timeout 5$/);
  });

  test("imagePrune() in check mode lists what it would remove and removes nothing", async () => {
    const stdout =
      '@@bosun:used\n@@bosun:images\nsha256:1 2026-01-01T00:00:01Z ["r/app:v1"]\nsha256:2 2026-01-01T00:00:02Z ["r/app:v2"]\n@@bosun:end\n';
    const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout }) });
    const r = await host.run(imagePrune({ repositories: ["r/app"], keep: 1 }));
    expect(r).toMatchObject({ status: "changed", message: "would remove r/app:v1", output: { kept: ["r/app:v2"], removed: ["r/app:v1"] } });
    expect(connection.executed).toHaveLength(1);
  });
});

describe("dockerEngine", () => {
  const probe =
    (extra: { packages?: string; users?: string } = {}) =>
    () => ({
      stdout: `@@bosun:packages\n${extra.packages ?? "docker.io\tinstalled\t20.10\n"}@@bosun:compose\n2.26.1\n@@bosun:dockerd\npresent\n@@bosun:group\ndocker:x:103:\n@@bosun:users\n${extra.users ?? ""}@@bosun:daemon\nabsent\n@@bosun:service\nenabled=enabled\nactive=active\n@@bosun:system\namd64\nbookworm\ndebian\n12\n@@bosun:repo\nabsent\n@@bosun:key\nabsent\n`,
    });

  test("dockerEngine() refuses to add a user that does not exist", async () => {
    const { host } = fakeHost({ respond: probe() });
    await expect(host.run(dockerEngine({ users: ["deploy"] }))).rejects.toThrow(
      /Cannot add deploy to the docker group: user deploy does not exist/,
    );
  });

  test("dockerEngine() in --check plans to add a user an earlier task would create, and says so", async () => {
    const { host, connection } = fakeHost({ respond: probe(), check: true });
    const r = await host.run(dockerEngine({ users: ["deploy"] }));
    expect(r).toMatchObject({ status: "changed" });
    expect(r.message).toMatch(/user deploy does not exist yet, so applying fails unless an earlier task of this run provides it/);
    expect(connection.executed).toHaveLength(1);
  });

  test("dockerEngine() leaves Debian's docker.io with a working compose v2 alone under source docker: never converted", async () => {
    const { host, connection } = fakeHost({ respond: probe() });
    const r = await host.run(dockerEngine({ source: "docker" }));
    expect(r).toMatchObject({ status: "ok", changed: false, message: "docker is running, compose 2.26.1" });
    expect(connection.executed).toHaveLength(1);
  });

  test("dockerEngine() with source distro on Debian 12 refuses an installed compose v1 instead of reinstalling it forever", async () => {
    const policy = "@@bosun:policy\ndocker-compose:\n  Installed: 1.29.2-3\n  Candidate: 1.29.2-3\n@@bosun:lists\n3\n";
    const respond = (text: string) =>
      text.includes("apt-cache policy")
        ? { stdout: policy }
        : {
            stdout: probe({ packages: "docker.io\tinstalled\t20.10\ndocker-compose\tinstalled\t1.29.2-3\n" })().stdout.replace(
              "2.26.1\n",
              "",
            ),
          };
    const { host } = fakeHost({ respond });
    await expect(host.run(dockerEngine({ source: "distro" }))).rejects.toThrow(
      /Debian 12 \(bookworm\)'s packages: apt would install docker-compose 1\.29\.2-3, which is compose v1/,
    );
  });
});
