/**
 * What each distribution offers for docker: where Docker's repository keeps it, which of its own
 * packages give an engine and compose v2, and which source bosun uses when the user names none.
 * Pure data and functions of /etc/os-release; the plan (engine-plan.ts) builds on them.
 */
import type { OsRelease } from "../../facts/docker-engine.js";

/** Where docker comes from: Docker's apt repository (or a mirror of it), or the distribution's own packages. */
export type DockerSource = "docker" | "distro";

/** Docker's own packages (source `docker`), as its install guide lists them. */
export const DOCKER_CE_PACKAGES = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-buildx-plugin", "docker-compose-plugin"] as const;

/** The package of Docker's repository that holds compose v2. */
export const DOCKER_CE_COMPOSE = "docker-compose-plugin";

/** What the distribution's own packages give (source `distro`). */
export interface DistroDocker {
  /** The engine package. */
  readonly engine: string;
  /** The package that should provide compose v2. */
  readonly compose: string;
  /** Its version in the release, when known to be compose v1 (told when apt has no lists to ask). */
  readonly composeV1?: string;
  /** Human name of the release, for messages (`Debian 12 (bookworm)`). */
  readonly name: string;
}

/** A human name of the release: `Debian 12 (bookworm)`, `Ubuntu 24.04 (noble)`. */
export function releaseName(os: OsRelease): string {
  const distro = os.id === "ubuntu" ? "Ubuntu" : os.id === "debian" ? "Debian" : os.id;
  return `${distro}${os.versionId ? ` ${os.versionId}` : ""}${os.codename ? ` (${os.codename})` : ""}`;
}

function debianMajor(os: OsRelease): number {
  // testing and sid have no VERSION_ID: they are newer than every release.
  return os.versionId ? Number.parseInt(os.versionId, 10) : Number.POSITIVE_INFINITY;
}

/** The distribution's docker packages, or undefined for a distribution bosun does not know. */
export function distroDocker(os: OsRelease): DistroDocker | undefined {
  const name = releaseName(os);
  if (os.id === "ubuntu") return { engine: "docker.io", compose: "docker-compose-v2", name };
  if (os.id !== "debian") return undefined;
  // bookworm's docker-compose is 1.29.2 (the python compose v1); trixie's is compose v2.
  const major = debianMajor(os);
  if (major <= 11) return { engine: "docker.io", compose: "docker-compose", composeV1: major === 11 ? "1.25.0" : undefined, name };
  if (major === 12) return { engine: "docker.io", compose: "docker-compose", composeV1: "1.29.2", name };
  return { engine: "docker.io", compose: "docker-compose", name };
}

/** The source bosun uses when the user names none: the distribution's where it has compose v2 and no Docker repository is needed (Debian 13 on), Docker's elsewhere. */
export function defaultSource(os: OsRelease): DockerSource {
  return os.id === "debian" && debianMajor(os) >= 13 ? "distro" : "docker";
}

/** Docker's repository for this distribution: `https://download.docker.com/linux/<id>`. */
export function dockerRepoUrl(os: OsRelease): string {
  return `https://download.docker.com/linux/${os.id === "ubuntu" ? "ubuntu" : "debian"}`;
}

/** The major version of a compose version string (`1.29.2-3` gives 1, `2.26.1-4` gives 2); undefined when unreadable. */
export function composeMajor(version: string): number | undefined {
  const m = /^(?:\d+:)?(\d+)\./.exec(version);
  return m?.[1] ? Number(m[1]) : undefined;
}

/** A reason the distribution's packages cannot be used, with what to do instead. */
export interface SourceProblem {
  /** "Cannot ..." sentence naming what apt would install. */
  readonly message: string;
  /** The ways out. */
  readonly hint: string;
}

/** What apt would install, as {@link distroComposeProblem} needs it. */
export interface CandidateView {
  /** Candidate versions by package. */
  readonly candidates: Readonly<Record<string, string>>;
  /** Whether apt has package lists at all. */
  readonly hasLists: boolean;
}

/**
 * Why the distribution's own packages cannot give compose v2 on this host (Debian 12's
 * docker-compose is compose v1), or undefined when they can. Pure: `apt` is what apt-cache said.
 */
export function distroComposeProblem(os: OsRelease, apt: CandidateView): SourceProblem | undefined {
  const distro = distroDocker(os);
  const docker = `set docker_source: docker (dockerEngine source "docker"): Docker's apt repository or a mirror of it`;
  if (!distro) {
    return {
      message: `Cannot install docker from the distribution's packages: bosun knows those of Debian and Ubuntu, not "${os.id}"`,
      hint: docker,
    };
  }
  const candidate = apt.candidates[distro.compose];
  const v1 = (what: string): SourceProblem => ({
    message: `Cannot install docker from ${distro.name}'s packages: ${what}, which is compose v1 (the old \`docker-compose\` command); bosun needs compose v2 (\`docker compose\`)`,
    hint: `${docker} (the default on ${distro.name}), or upgrade the host to Debian 13 (trixie), whose docker-compose is compose v2`,
  });
  if (candidate !== undefined) {
    const major = composeMajor(candidate);
    return major !== undefined && major < 2 ? v1(`apt would install ${distro.compose} ${candidate}`) : undefined;
  }
  if (!apt.hasLists) {
    return distro.composeV1 ? v1(`apt has no package lists yet, and ${distro.name} has ${distro.compose} ${distro.composeV1}`) : undefined;
  }
  return {
    message: `Cannot install docker from ${distro.name}'s packages: apt knows no package ${distro.compose}`,
    hint: `${docker}${os.id === "ubuntu" ? `, or enable Ubuntu's universe component` : ""}`,
  };
}
