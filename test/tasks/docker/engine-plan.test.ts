import { spawnSync } from "node:child_process";
import type { DockerEngineState } from "../../../lib/facts/docker-engine.js";
import { daemonJsonMatches, planEngine, upstreamSourceLine, type EngineWants } from "../../../lib/tasks/docker/engine-plan.js";

const RUNNING: DockerEngineState = {
  packages: { "docker.io": "20.10.24", "docker-compose": "2.26.1-4" },
  composeVersion: "2.26.1-4",
  groupExists: true,
  groupMembers: ["deploy"],
  existingUsers: ["deploy"],
  daemonJson: '{"log-driver":"json-file"}',
  enabled: "enabled",
  active: "active",
  architecture: "amd64",
  codename: "bookworm",
  repoKey: false,
};

const FRESH: DockerEngineState = {
  packages: {},
  groupExists: false,
  groupMembers: [],
  existingUsers: ["deploy"],
  enabled: "",
  active: "inactive",
  architecture: "amd64",
  codename: "bookworm",
  repoKey: false,
};

const DEB = "http://files.lab.test/docker-compose-plugin.deb";
const want = (extra: Partial<EngineWants> = {}): EngineWants => ({
  source: "debian",
  compose: { kind: "deb", url: DEB },
  users: ["deploy"],
  daemonJson: { "log-driver": "json-file" },
  repoUrl: "https://download.docker.com/linux/debian",
  ...extra,
});

// controller-tools: dash (-n: parses the script, runs nothing)
const dashParses = (text: string) => spawnSync("dash", ["-n", "-c", text]).status === 0;

describe("planEngine", () => {
  test("planEngine() has nothing to do when docker runs as wanted (daemon.json compared as JSON, not bytes)", () => {
    const plan = planEngine({ ...RUNNING, daemonJson: '{\n  "log-driver": "json-file"\n}\n' }, want());
    expect(plan.command).toBeUndefined();
  });

  test("planEngine() installs docker.io, the compose .deb, the user and daemon.json on a fresh host, without a restart", () => {
    const plan = planEngine(FRESH, want());
    expect(plan).toMatchObject({
      install: ["docker.io"],
      composeDeb: true,
      addUsers: ["deploy"],
      restart: false,
      enable: true,
      start: true,
    });
    const text = plan.command?.text ?? "";
    // daemon.json is in place before the package starts docker for the first time.
    expect(text.indexOf("/etc/docker/daemon.json")).toBeLessThan(text.indexOf("apt-get"));
    expect(text).toContain("install docker.io </dev/null");
    expect(text).toContain(`curl -fsSL -o "$t/compose.deb" ${DEB}`);
    expect(text).toContain("usermod -aG docker deploy");
    expect(text).not.toContain("systemctl restart");
    expect(plan.command?.stdin).toBe('{\n  "log-driver": "json-file"\n}\n');
    expect(dashParses(text)).toBe(true);
  });

  test("planEngine() restarts docker only when daemon.json changes on an installed engine, and can put the old file back", () => {
    const plan = planEngine(RUNNING, want({ daemonJson: { "log-driver": "json-file", "log-opts": { "max-size": "10m" } } }));
    expect(plan).toMatchObject({ install: [], composeDeb: false, addUsers: [], restart: true, enable: false, start: false });
    expect(plan.command?.text).toContain("systemctl restart docker.service");
    expect(plan.command?.text).toContain("the previous one is back");
    expect(dashParses(plan.command?.text ?? "")).toBe(true);
    const usersOnly = planEngine(RUNNING, want({ users: ["deploy", "ci"] }));
    expect(usersOnly.restart).toBe(false);
    expect(usersOnly.command?.text).toContain("usermod -aG docker ci");
    expect(usersOnly.command?.text).not.toContain("restart");
    expect(usersOnly.command?.stdin).toBeUndefined();
  });

  test("planEngine() leaves daemon.json alone when it is not managed", () => {
    const plan = planEngine({ ...RUNNING, active: "inactive" }, want({ daemonJson: undefined }));
    expect(plan.daemonJson).toBeUndefined();
    expect(plan.command?.text).toContain("systemctl start docker.service");
  });

  test("planEngine() installs compose with apt when asked, only while `docker compose` fails", () => {
    const apt = want({ compose: { kind: "apt", pkg: "docker-compose" } });
    expect(planEngine(FRESH, apt).install).toEqual(["docker.io", "docker-compose"]);
    expect(planEngine(RUNNING, apt).command).toBeUndefined();
  });

  test("daemonJsonMatches() treats invalid JSON as different", () => {
    expect(daemonJsonMatches("{nope", {})).toBe(false);
    expect(daemonJsonMatches(undefined, {})).toBe(false);
    expect(daemonJsonMatches('{"b":1,"a":[1,2]}', { a: [1, 2], b: 1 })).toBe(true);
    expect(daemonJsonMatches('{"a":[2,1]}', { a: [1, 2] })).toBe(false);
  });
});

// download.docker.com is unreachable from this machine and the lab: the upstream source is unit-tested only.
describe("planEngine with Docker's repository (unit-tested only: download.docker.com is unreachable here)", () => {
  const upstream = want({ source: "docker", compose: { kind: "apt", pkg: "docker-compose-plugin" } });

  test("planEngine() adds the signed-by key and apt source, then installs docker-ce, docker-ce-cli, containerd.io and docker-compose-plugin", () => {
    const plan = planEngine(FRESH, upstream);
    expect(plan.install).toEqual(["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"]);
    expect(plan.repo).toEqual({
      key: true,
      list: "deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable\n",
    });
    const text = plan.command?.text ?? "";
    expect(text).toContain("curl -fsSL https://download.docker.com/linux/debian/gpg -o /etc/apt/keyrings/docker.asc.tmp");
    expect(text.indexOf("/etc/apt/sources.list.d/docker.list")).toBeLessThan(text.indexOf("apt-get"));
    expect(text).toContain("update &&");
    expect(dashParses(text)).toBe(true);
  });

  test("planEngine() keeps an existing key and an identical apt source", () => {
    const line = upstreamSourceLine("https://download.docker.com/linux/debian", "amd64", "bookworm");
    const installed: DockerEngineState = {
      ...RUNNING,
      packages: { "docker-ce": "5:27", "docker-ce-cli": "5:27", "containerd.io": "1.7", "docker-compose-plugin": "2.29" },
      repoKey: true,
      repoList: line,
    };
    expect(planEngine(installed, upstream).command).toBeUndefined();
    expect(planEngine({ ...installed, repoList: line.replace("bookworm", "bullseye") }, upstream).repo.list).toBe(line);
  });
});
