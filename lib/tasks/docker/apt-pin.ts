/**
 * The apt preferences that go with Docker's repository (docker_source `docker`): Docker's packages
 * are taken from the configured repository (download.docker.com or the user's mirror of it) over
 * any other source offering the same names, and the distribution's engine and CLI, which conflict
 * with docker-ce and docker-ce-cli, are never installed in their place (say as a recommendation of
 * another package, which would make apt remove docker-ce). A distribution package that is already
 * installed (an engine bosun left alone, completed with Docker's compose plugin) is not blocked: a
 * -1 pin would hold back its security updates.
 */
import { DOCKER_CE_PACKAGES } from "./engine-distros.js";

/** Where the preferences live. */
export const DOCKER_PIN_FILE = "/etc/apt/preferences.d/docker.pref";

/** Docker's package names pinned to its repository: the ones bosun installs, and the rootless extras docker-ce recommends. */
export const DOCKER_PINNED_PACKAGES: readonly string[] = [...DOCKER_CE_PACKAGES, "docker-ce-rootless-extras"];

/** The distributions' packages that would replace docker-ce or docker-ce-cli: never installed. */
export const DISTRO_BLOCKED_PACKAGES: readonly string[] = ["docker.io", "docker-cli"];

/** Priority of Docker's packages from its repository: above the default 500, below 1000 (no downgrades). */
export const DOCKER_PIN_PRIORITY = 900;

/**
 * apt's `origin` of a repository URL: its host name, without the port (as `apt-cache policy` shows it;
 * checked against the lab's file server on a port): `https://download.docker.com/linux/debian` gives `download.docker.com`.
 */
export function aptOrigin(repoUrl: string): string {
  return new URL(repoUrl).hostname;
}

/** The text of {@link DOCKER_PIN_FILE} for the repository at `repoUrl`; `installed`: the host's installed packages (those are not blocked). */
export function dockerPinText(repoUrl: string, installed: Readonly<Record<string, string>> = {}): string {
  const blocked = DISTRO_BLOCKED_PACKAGES.filter((p) => !(p in installed));
  return [
    `# Written by bosun (docker_source: docker). Docker's packages come from ${repoUrl}${blocked.length ? "," : "."}`,
    ...(blocked.length ? [`# and the distribution's ${blocked.join(" and ")} never replace docker-ce and docker-ce-cli.`] : []),
    `Package: ${DOCKER_PINNED_PACKAGES.join(" ")}`,
    `Pin: origin "${aptOrigin(repoUrl)}"`,
    `Pin-Priority: ${DOCKER_PIN_PRIORITY}`,
    "",
    ...(blocked.length ? [`Package: ${blocked.join(" ")}`, "Pin: version *", "Pin-Priority: -1", ""] : []),
  ].join("\n");
}
