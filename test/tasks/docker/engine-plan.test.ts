import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DockerEngineState, OsRelease } from "../../../lib/facts/docker-engine.js";
import { dockerPinText } from "../../../lib/tasks/docker/apt-pin.js";
import { daemonJsonMatches, dockerSourceText, planEngine, type EngineWants } from "../../../lib/tasks/docker/engine-plan.js";

const BOOKWORM: OsRelease = { id: "debian", versionId: "12", codename: "bookworm" };
const TRIXIE: OsRelease = { id: "debian", versionId: "13", codename: "trixie" };
const JAMMY: OsRelease = { id: "ubuntu", versionId: "22.04", codename: "jammy" };
const NOBLE: OsRelease = { id: "ubuntu", versionId: "24.04", codename: "noble" };

/** A stock image as a provider hands it over: no docker, no curl, no ca-certificates. */
const stock = (os: OsRelease): DockerEngineState => ({
  packages: {},
  dockerd: false,
  groupExists: false,
  groupMembers: [],
  existingUsers: ["deploy"],
  enabled: "",
  active: "inactive",
  architecture: "amd64",
  codename: os.codename,
  os,
});

/** trixie's own docker.io and docker-compose (compose v2), running. */
const TRIXIE_DISTRO: DockerEngineState = {
  ...stock(TRIXIE),
  packages: { "docker.io": "26.1.5+dfsg1-9+deb13u1+b1", "docker-compose": "2.26.1-4", curl: "8.14.1-2", "ca-certificates": "20250419" },
  composeVersion: "2.26.1-4",
  dockerd: true,
  groupExists: true,
  groupMembers: ["deploy"],
  daemonJson: '{"log-driver":"json-file"}',
  enabled: "enabled",
  active: "active",
};

/** Docker's packages on bookworm (cfa2: compose plugin 2.29.7), installed from docker.list by hand. */
const BOOKWORM_DOCKER_CE: DockerEngineState = {
  ...stock(BOOKWORM),
  packages: {
    "docker-ce": "5:27.3.1-1~debian.12~bookworm",
    "docker-ce-cli": "5:27.3.1-1~debian.12~bookworm",
    "containerd.io": "1.7.22-1",
    "docker-compose-plugin": "2.29.7-1~debian.12~bookworm",
  },
  composeVersion: "2.29.7",
  dockerd: true,
  groupExists: true,
  groupMembers: ["deploy"],
  daemonJson: '{"log-driver":"json-file"}',
  enabled: "enabled",
  active: "active",
};

const want = (extra: Partial<EngineWants> = {}): EngineWants => ({
  compose: { kind: "apt" },
  users: ["deploy"],
  daemonJson: { "log-driver": "json-file" },
  ...extra,
});

// controller-tools: dash (-n: parses the script, runs nothing)
const dashParses = (text: string) => spawnSync("dash", ["-n", "-c", text]).status === 0;
const DOCKER_CE = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin"];

describe("planEngine: the source each distribution gets by default", () => {
  test.each([
    ["Debian 12", BOOKWORM, "docker", DOCKER_CE],
    ["Debian 13", TRIXIE, "distro", ["docker.io", "docker-compose"]],
    ["Ubuntu 22.04", JAMMY, "docker", DOCKER_CE],
    ["Ubuntu 24.04", NOBLE, "docker", DOCKER_CE],
  ])("planEngine() on a stock %s installs from source %s", (_name, os, source, packages) => {
    const plan = planEngine(stock(os), want());
    expect(plan.source).toBe(source);
    expect(plan.install).toEqual(packages);
    expect(dashParses(plan.command?.text ?? "")).toBe(true);
  });

  test.each([
    ["Debian 13", TRIXIE, ["docker.io", "docker-compose"]],
    ["Ubuntu 22.04", JAMMY, ["docker.io", "docker-compose-v2"]],
    ["Ubuntu 24.04", NOBLE, ["docker.io", "docker-compose-v2"]],
  ])("planEngine() with source distro on %s installs the distribution's engine and compose v2 package, no repository", (_n, os, pkgs) => {
    const plan = planEngine(stock(os), want({ source: "distro" }));
    expect(plan.install).toEqual(pkgs);
    expect(plan.repo.key).toBe(false);
    expect(plan.repo.list).toBeUndefined();
    expect(plan.prerequisites).toEqual([]);
    expect(plan.command?.text).not.toContain("keyrings");
  });
});

describe("planEngine with Docker's repository", () => {
  test.each([
    [BOOKWORM, "https://download.docker.com/linux/debian"],
    [JAMMY, "https://download.docker.com/linux/ubuntu"],
    [NOBLE, "https://download.docker.com/linux/ubuntu"],
  ])("planEngine() on a stock %o installs curl and ca-certificates, then the key, the deb822 source and the packages", (os, url) => {
    const plan = planEngine(stock(os), want({ source: "docker" }));
    expect(plan.prerequisites).toEqual(["ca-certificates", "curl"]);
    expect(plan.repo).toEqual({
      key: true,
      keyFrom: `${url}/gpg`,
      list: `Types: deb\nURIs: ${url}\nSuites: ${os.codename}\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n`,
      pin: dockerPinText(url),
    });
    const text = plan.command?.text ?? "";
    const at = (s: string) => text.indexOf(s);
    expect(at("install ca-certificates curl")).toBeGreaterThan(-1);
    expect(at("install ca-certificates curl")).toBeLessThan(at(`curl -fsSL --retry 3 ${url}/gpg -o /etc/apt/keyrings/docker.asc.tmp`));
    expect(at("/etc/apt/keyrings/docker.asc.tmp")).toBeLessThan(at("/etc/apt/sources.list.d/docker.sources"));
    expect(at("/etc/apt/sources.list.d/docker.sources")).toBeLessThan(at(`install ${DOCKER_CE.join(" ")} </dev/null`));
    // Docker's packages are pinned to the repository before the first install from it.
    expect(at("/etc/apt/preferences.d/docker.pref")).toBeGreaterThan(-1);
    expect(at("/etc/apt/preferences.d/docker.pref")).toBeLessThan(at(`install ${DOCKER_CE.join(" ")} </dev/null`));
    // daemon.json is in place before the package starts docker for the first time.
    expect(at("/etc/docker/daemon.json")).toBeLessThan(at("apt-get"));
    expect(dashParses(text)).toBe(true);
  });

  test("planEngine() takes a mirror's URL and its key given inline, written with printf (no download)", () => {
    const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBFit2ioBEADh\n-----END PGP PUBLIC KEY BLOCK-----";
    const st = { ...stock(BOOKWORM), packages: { curl: "7.88.1-10+deb12u8", "ca-certificates": "20230311" } };
    const plan = planEngine(st, want({ source: "docker", repoUrl: "http://mirror.example.com/docker-ce/linux/debian/", repoKey: key }));
    expect(plan.prerequisites).toEqual([]);
    expect(plan.repo.list).toContain("URIs: http://mirror.example.com/docker-ce/linux/debian\n");
    expect(plan.command?.text).toContain(`printf '%s\\n' '${key}' > /etc/apt/keyrings/docker.asc.tmp`);
    expect(plan.command?.text).not.toContain("curl");
    // the same key in place (whitespace aside) is kept; another one is replaced
    const installed = { ...st, repoKey: `${key}\n`, repoList: plan.repo.list };
    expect(
      planEngine(installed, want({ source: "docker", repoUrl: "http://mirror.example.com/docker-ce/linux/debian", repoKey: key })).repo.key,
    ).toBe(false);
    expect(planEngine(installed, want({ source: "docker", repoKey: key.replace("mQINB", "xQINB") })).repo.key).toBe(true);
  });

  test("planEngine() keeps an existing key and identical source, and rewrites bosun's source when the URL changes (a new mirror)", () => {
    const list = dockerSourceText("https://download.docker.com/linux/debian", "amd64", "bookworm");
    const pin = dockerPinText("https://download.docker.com/linux/debian");
    const installed: DockerEngineState = { ...BOOKWORM_DOCKER_CE, repoKey: "key", repoList: list, repoPin: pin };
    expect(planEngine(installed, want({ source: "docker" })).command).toBeUndefined();
    const mirror = planEngine(installed, want({ source: "docker", repoUrl: "https://mirror.example.com/docker-ce/linux/debian" }));
    expect(mirror.install).toEqual([]);
    expect(mirror.repo.list).toContain("URIs: https://mirror.example.com/docker-ce/linux/debian\n");
    expect(mirror.repo.pin).toContain('Pin: origin "mirror.example.com"\n');
    expect(mirror.command?.text).not.toContain("apt-get");
  });

  test("planEngine() adds the pin alone to a host that has Docker's repository from before the pin", () => {
    const list = dockerSourceText("https://download.docker.com/linux/debian", "amd64", "bookworm");
    const plan = planEngine({ ...BOOKWORM_DOCKER_CE, repoKey: "key", repoList: list }, want({ source: "docker" }));
    expect(plan.repo).toEqual({
      key: false,
      keyFrom: "https://download.docker.com/linux/debian/gpg",
      pin: dockerPinText("https://download.docker.com/linux/debian"),
    });
    expect(plan.command?.text).not.toContain("apt-get");
    expect(plan.command?.label).toBe("pin Docker's packages to its repository");
  });

  test("planEngine() adds only docker-compose-plugin to an engine without compose, and never replaces the engine", () => {
    const st = { ...TRIXIE_DISTRO, packages: { "docker.io": "26.1.5+dfsg1-9+deb13u1+b1", curl: "8", "ca-certificates": "1" } };
    const plan = planEngine({ ...st, composeVersion: undefined }, want({ source: "docker" }));
    expect(plan.install).toEqual(["docker-compose-plugin"]);
    expect(plan.repo.key).toBe(true);
    expect(plan.repo.pin).not.toMatch(/Package: docker\.io/); // the installed engine keeps its updates
  });
});

describe("planEngine leaves a working engine with compose v2 alone, whatever its source", () => {
  test.each([
    ["Docker's packages, source distro", BOOKWORM_DOCKER_CE, "distro"],
    ["Docker's packages, default source", BOOKWORM_DOCKER_CE, undefined],
    ["trixie's docker.io, source docker", TRIXIE_DISTRO, "docker"],
    ["trixie's docker.io, default source", TRIXIE_DISTRO, undefined],
  ] as const)("planEngine() changes nothing for %s (no package, no apt source)", (_name, st, source) => {
    const plan = planEngine({ ...st, daemonJson: '{\n  "log-driver": "json-file"\n}\n' }, want({ source }));
    expect(plan.command).toBeUndefined();
    expect(plan.install).toEqual([]);
    expect(plan.repo.key).toBe(false);
    expect(plan.repo.list).toBeUndefined();
  });

  test("planEngine() still manages the docker group and daemon.json of such an engine, without touching packages", () => {
    const plan = planEngine(TRIXIE_DISTRO, want({ source: "docker", users: ["deploy", "ci"], daemonJson: { "log-driver": "local" } }));
    expect(plan).toMatchObject({ install: [], prerequisites: [], addUsers: ["ci"], restart: true });
    expect(plan.command?.text).not.toContain("apt-get");
  });
});

describe("planEngine: daemon.json, users and the service", () => {
  test("planEngine() restarts docker only when daemon.json changes on an installed engine, and can put the old file back", () => {
    const plan = planEngine(TRIXIE_DISTRO, want({ daemonJson: { "log-driver": "json-file", "log-opts": { "max-size": "10m" } } }));
    expect(plan).toMatchObject({ install: [], composeDeb: false, addUsers: [], restart: true, enable: false, start: false });
    expect(plan.command?.text).toContain("systemctl restart docker.service");
    expect(plan.command?.text).toContain("the previous one is back");
    expect(dashParses(plan.command?.text ?? "")).toBe(true);
    const usersOnly = planEngine(TRIXIE_DISTRO, want({ users: ["deploy", "ci"] }));
    expect(usersOnly.restart).toBe(false);
    expect(usersOnly.command?.text).toContain("usermod -aG docker ci");
    expect(usersOnly.command?.text).not.toContain("restart");
    expect(usersOnly.command?.stdin).toBeUndefined();
  });

  test("planEngine() leaves daemon.json alone when it is not managed, and starts a stopped engine", () => {
    const plan = planEngine({ ...TRIXIE_DISTRO, active: "inactive" }, want({ daemonJson: undefined }));
    expect(plan.daemonJson).toBeUndefined();
    expect(plan.command?.text).toContain("systemctl start docker.service");
  });

  test("planEngine() on a fresh host writes daemon.json before the install and does not restart", () => {
    const plan = planEngine(stock(TRIXIE), want());
    expect(plan).toMatchObject({ addUsers: ["deploy"], restart: false, enable: true, start: true });
    expect(plan.command?.stdin).toBe('{\n  "log-driver": "json-file"\n}\n');
    expect(plan.command?.text).toContain("install docker.io docker-compose </dev/null");
  });

  test("daemonJsonMatches() treats invalid JSON as different", () => {
    expect(daemonJsonMatches("{nope", {})).toBe(false);
    expect(daemonJsonMatches(undefined, {})).toBe(false);
    expect(daemonJsonMatches('{"b":1,"a":[1,2]}', { a: [1, 2], b: 1 })).toBe(true);
    expect(daemonJsonMatches('{"a":[2,1]}', { a: [1, 2] })).toBe(false);
  });
});

describe("planEngine with the offline compose .deb (docker_compose_plugin_deb)", () => {
  const DEB = "http://files.example.org/docker-compose-plugin.deb";

  test("planEngine() installs the distribution's engine and the .deb instead of a compose package", () => {
    const plan = planEngine(stock(BOOKWORM), want({ source: "distro", compose: { kind: "deb", url: DEB } }));
    expect(plan).toMatchObject({ install: ["docker.io"], composeDeb: true });
    expect(plan.command?.text).toContain(`curl -fsSL -o "$t/compose.deb" ${DEB}`);
    expect(dashParses(plan.command?.text ?? "")).toBe(true);
  });
});

describe("the engine command's exit code", () => {
  /** Run `text` with dash, every program it calls replaced by a stub that succeeds, except `failing`. */
  function runStubbed(text: string, failing: string): { status: number | null; stdout: string } {
    const bin = mkdtempSync(path.join(tmpdir(), "bosun-engine-stubs-"));
    try {
      for (const name of ["apt-get", "systemctl", "usermod", "docker"]) {
        writeFileSync(
          path.join(bin, name),
          `#!/bin/sh\n${name === failing ? "echo stub failure >&2; exit 100" : name === "docker" ? "echo 2.26.1" : "exit 0"}\n`,
          {
            mode: 0o755,
          },
        );
      }
      // controller-tools: dash (the command under test only calls the stubs above)
      const r = spawnSync("/bin/dash", ["-c", text], { encoding: "utf8", env: { PATH: bin } });
      return { status: r.status, stdout: r.stdout };
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }

  test("a failed apt-get install fails the whole command (the compose check after it does not turn it green)", () => {
    const text = planEngine(stock(TRIXIE), want({ daemonJson: undefined, users: [] })).command?.text ?? "";
    expect(runStubbed(text, "none")).toEqual({ status: 0, stdout: "@@bosun:compose\n2.26.1\n" });
    const failed = runStubbed(text, "apt-get");
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).not.toContain("@@bosun:compose");
  });
});
