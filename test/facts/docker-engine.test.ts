import { spawnSync } from "node:child_process";
import { dockerEngineState, parseDockerEngineState } from "../../lib/facts/docker-engine.js";

/** Output of the probe on a lab host of variant `docker` with trixie's compose plugin installed. */
const LAB_DOCKER_HOST = [
  "@@bosun:packages",
  "docker-ce\tnot-installed\t",
  "docker-ce-cli\tnot-installed\t",
  "docker-compose\tinstalled\t2.26.1-4",
  "docker.io\tinstalled\t20.10.24+dfsg1-1+deb12u1+b6",
  "@@bosun:compose",
  "2.26.1-4",
  "@@bosun:dockerd",
  "present",
  "@@bosun:group",
  "docker:x:103:deploy,ci",
  "@@bosun:users",
  "root",
  "@@bosun:daemon",
  `content ${Buffer.from('{\n  "insecure-registries": [\n    "registry.lab.test:5000"\n  ]\n}\n').toString("base64")}`,
  "@@bosun:service",
  "enabled=enabled",
  "active=active",
  "@@bosun:system",
  "amd64",
  "bookworm",
  "debian",
  "12",
  "@@bosun:repo",
  "absent",
  "@@bosun:key",
  "absent",
].join("\n");

/** Output on a fresh host: no docker at all. */
const FRESH_HOST = [
  "@@bosun:packages",
  "@@bosun:compose",
  "@@bosun:group",
  "@@bosun:users",
  "@@bosun:daemon",
  "absent",
  "@@bosun:service",
  "enabled=",
  "active=inactive",
  "@@bosun:system",
  "arm64",
  "noble",
  "ubuntu",
  "24.04",
  "@@bosun:repo",
  "absent",
  "@@bosun:key",
  "absent",
].join("\n");

/** Output on Debian sid (no VERSION_ID) with Docker's repository and key in place. */
const SID_WITH_REPO = FRESH_HOST.replace("noble\nubuntu\n24.04", "sid\ndebian\n")
  .replace("@@bosun:repo\nabsent", `@@bosun:repo\ncontent ${Buffer.from("Types: deb\n").toString("base64")}`)
  .replace("@@bosun:key\nabsent", `@@bosun:key\ncontent ${Buffer.from("-----BEGIN PGP PUBLIC KEY BLOCK-----\n").toString("base64")}`);

describe("dockerEngineState", () => {
  test("parseDockerEngineState() reads a lab docker host: packages, compose, group, daemon.json, service", () => {
    expect(parseDockerEngineState(LAB_DOCKER_HOST)).toEqual({
      packages: { "docker-compose": "2.26.1-4", "docker.io": "20.10.24+dfsg1-1+deb12u1+b6" },
      composeVersion: "2.26.1-4",
      dockerd: true,
      groupExists: true,
      groupMembers: ["deploy", "ci"],
      existingUsers: ["root"],
      daemonJson: '{\n  "insecure-registries": [\n    "registry.lab.test:5000"\n  ]\n}\n',
      enabled: "enabled",
      active: "active",
      architecture: "amd64",
      codename: "bookworm",
      os: { id: "debian", versionId: "12", codename: "bookworm" },
      repoList: undefined,
      repoKey: undefined,
    });
  });

  test("parseDockerEngineState() reads a fresh host without docker", () => {
    expect(parseDockerEngineState(FRESH_HOST)).toMatchObject({
      packages: {},
      composeVersion: undefined,
      groupExists: false,
      groupMembers: [],
      daemonJson: undefined,
      enabled: "",
      active: "inactive",
      architecture: "arm64",
      dockerd: false,
      os: { id: "ubuntu", versionId: "24.04", codename: "noble" },
    });
  });

  test("parseDockerEngineState() reads Debian sid (no VERSION_ID) and the repository's source and key", () => {
    expect(parseDockerEngineState(SID_WITH_REPO)).toMatchObject({
      os: { id: "debian", versionId: "", codename: "sid" },
      repoList: "Types: deb\n",
      repoKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n",
    });
  });

  test("parseDockerEngineState() refuses output that is not the probe's", () => {
    expect(() => parseDockerEngineState("sudo: a password is required\n")).toThrow(/Cannot read the docker engine state/);
  });

  test("the probe is one valid POSIX sh script (dash -n) that quotes user names", () => {
    const cmd = dockerEngineState.command({
      users: ["deploy", "a b"],
      repoList: "/etc/apt/sources.list.d/docker.sources",
      repoKey: "/etc/apt/keyrings/docker.asc",
    });
    expect(cmd.text).toContain("for u in deploy 'a b'; do");
    // controller-tools: dash (-n: parses the script, runs nothing)
    expect(spawnSync("dash", ["-n", "-c", cmd.text]).status).toBe(0);
  });
});
