/**
 * Which docker each distribution gets, from recorded os-release and `apt-cache policy` outputs
 * (test/fixtures/apt/README.md says which were recorded on a host and which, for Ubuntu, were
 * transcribed because no Ubuntu archive is reachable here).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAptCandidates } from "../../../lib/facts/docker-engine-candidates.js";
import type { DockerEngineState, OsRelease } from "../../../lib/facts/docker-engine.js";
import { defaultSource, distroComposeProblem, distroDocker, dockerRepoUrl } from "../../../lib/tasks/docker/engine-distros.js";
import { planEngine } from "../../../lib/tasks/docker/engine-plan.js";

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/apt");

/** The os-release fields as the engine probe reads them: dash sources the file, as on the host. */
function osRelease(release: string): OsRelease {
  const file = path.join(FIXTURES, `${release}-os-release`);
  // controller-tools: dash (sources an os-release fixture, printf only)
  const r = spawnSync("dash", ["-c", `. "$1" && printf '%s\\n' "$VERSION_CODENAME" "$ID" "$VERSION_ID"`, "sh", file], {
    encoding: "utf8",
  });
  const [codename = "", id = "", versionId = ""] = r.stdout.split("\n");
  return { id, versionId, codename };
}

/** `apt-cache policy` output wrapped as the candidates probe prints it. */
function candidates(release: string, lists = 3) {
  const policy = readFileSync(path.join(FIXTURES, `${release}-policy.txt`), "utf8");
  return parseAptCandidates(`@@bosun:policy\n${policy}@@bosun:lists\n${lists}\n`);
}

const stock = (os: OsRelease): DockerEngineState => ({
  packages: {},
  dockerd: false,
  groupExists: false,
  groupMembers: [],
  existingUsers: [],
  enabled: "",
  active: "inactive",
  architecture: "amd64",
  codename: os.codename,
  os,
});

describe("the docker of each distribution", () => {
  test("os-release of Debian 12 and 13 and Ubuntu 22.04 and 24.04 reads as id, version and codename", () => {
    expect(["bookworm", "trixie", "jammy", "noble"].map(osRelease)).toEqual([
      { id: "debian", versionId: "12", codename: "bookworm" },
      { id: "debian", versionId: "13", codename: "trixie" },
      { id: "ubuntu", versionId: "22.04", codename: "jammy" },
      { id: "ubuntu", versionId: "24.04", codename: "noble" },
    ]);
  });

  test.each([
    ["bookworm", "docker", "https://download.docker.com/linux/debian", "docker-compose"],
    ["trixie", "distro", "https://download.docker.com/linux/debian", "docker-compose"],
    ["jammy", "docker", "https://download.docker.com/linux/ubuntu", "docker-compose-v2"],
    ["noble", "docker", "https://download.docker.com/linux/ubuntu", "docker-compose-v2"],
  ])("%s: default source %s, Docker's repository %s, the distribution's compose package %s", (release, source, url, compose) => {
    const os = osRelease(release);
    expect(defaultSource(os)).toBe(source);
    expect(dockerRepoUrl(os)).toBe(url);
    expect(distroDocker(os)?.compose).toBe(compose);
  });

  test.each(["jammy", "noble"])("%s: Docker's deb822 source names the Ubuntu path and the release's codename", (release) => {
    const os = osRelease(release);
    const plan = planEngine(stock(os), { compose: { kind: "apt" }, users: [] });
    expect(plan.repo.list).toBe(
      `Types: deb\nURIs: https://download.docker.com/linux/ubuntu\nSuites: ${release}\nComponents: stable\nArchitectures: amd64\nSigned-By: /etc/apt/keyrings/docker.asc\n`,
    );
  });

  test("Debian testing and sid (no VERSION_ID) take the distribution's packages, like Debian 13", () => {
    expect(defaultSource({ id: "debian", versionId: "", codename: "forky" })).toBe("distro");
  });
});

describe("distroComposeProblem", () => {
  test("Debian 12 with apt lists: refused, naming the compose version apt would install and the two ways out", () => {
    const problem = distroComposeProblem(osRelease("bookworm"), candidates("bookworm"));
    expect(problem?.message).toBe(
      "Cannot install docker from Debian 12 (bookworm)'s packages: apt would install docker-compose 1.29.2-3, which is compose v1 (the old `docker-compose` command); bosun needs compose v2 (`docker compose`)",
    );
    expect(problem?.hint).toMatch(/docker_source: docker .*Docker's apt repository or a mirror of it.*or upgrade the host to Debian 13/);
  });

  test("Debian 12 without apt lists (a stock image in --check): refused with the version Debian 12 has", () => {
    const problem = distroComposeProblem(osRelease("bookworm"), { candidates: {}, hasLists: false });
    expect(problem?.message).toMatch(
      /apt has no package lists yet, and Debian 12 \(bookworm\) has docker-compose 1\.29\.2, which is compose v1/,
    );
  });

  test.each(["trixie", "jammy", "noble"])("%s: the distribution's compose is v2, nothing to refuse", (release) => {
    const apt = candidates(release);
    expect(Object.values(apt.candidates)[0]).toMatch(/^2\./);
    expect(distroComposeProblem(osRelease(release), apt)).toBeUndefined();
    expect(distroComposeProblem(osRelease(release), { candidates: {}, hasLists: false })).toBeUndefined();
  });

  test("Ubuntu without universe (lists, but no docker-compose-v2): refused with both ways out", () => {
    const problem = distroComposeProblem(osRelease("noble"), { candidates: {}, hasLists: true });
    expect(problem?.message).toBe("Cannot install docker from Ubuntu 24.04 (noble)'s packages: apt knows no package docker-compose-v2");
    expect(problem?.hint).toMatch(/docker_source: docker.*universe/);
  });

  test("an unknown distribution is refused for source distro", () => {
    expect(distroComposeProblem({ id: "alpine", versionId: "3.20", codename: "" }, { candidates: {}, hasLists: true })?.message).toMatch(
      /knows those of Debian and Ubuntu, not "alpine"/,
    );
  });
});
