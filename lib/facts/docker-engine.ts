/**
 * The docker engine of a host in one command: packages, compose plugin, docker group members,
 * /etc/docker/daemon.json, the service state, the distribution, and (for Docker's repository)
 * the apt source, its key and its pin.
 */
import { defineFact } from "../core/fact.js";
import { sh, type Command } from "../core/command.js";
import { base64Section, parseSections, script, section, sectionLines } from "./docker-sections.js";

/** Path of the engine's configuration file. */
export const DAEMON_JSON = "/etc/docker/daemon.json";

/** Every package the engine facts report on: the distributions' and Docker's, and what fetching Docker's key needs. */
export const DOCKER_PACKAGES = [
  "docker.io",
  "docker-cli",
  "docker-compose",
  "docker-compose-v2",
  "docker-ce",
  "docker-ce-cli",
  "containerd.io",
  "docker-buildx-plugin",
  "docker-compose-plugin",
  "ca-certificates",
  "curl",
] as const;

/** The identity of a host's distribution, from /etc/os-release. */
export interface OsRelease {
  /** `ID`, e.g. `debian`, `ubuntu`. */
  readonly id: string;
  /** `VERSION_ID`, e.g. `12`, `24.04`; empty on Debian testing and sid. */
  readonly versionId: string;
  /** `VERSION_CODENAME`, e.g. `bookworm`, `noble`. */
  readonly codename: string;
}

/** Argument of {@link dockerEngineState}. */
export interface DockerEngineQuery {
  /** Users whose existence and docker group membership to report. */
  readonly users?: readonly string[];
  /** An apt source file to read (the upstream repository's list). */
  readonly repoList?: string;
  /** A signing key file to read. */
  readonly repoKey?: string;
  /** An apt preferences file to read (the repository's pin). */
  readonly repoPin?: string;
}

/** What {@link dockerEngineState} found. */
export interface DockerEngineState {
  /** Installed packages (dpkg status `installed`) by name, with their version. */
  readonly packages: Readonly<Record<string, string>>;
  /** `docker compose version --short`, when compose v2 works. */
  readonly composeVersion?: string;
  /** Whether a docker engine (`dockerd`) is installed, from whatever source. */
  readonly dockerd: boolean;
  /** Whether the `docker` group exists. */
  readonly groupExists: boolean;
  /** Members of the `docker` group (supplementary). */
  readonly groupMembers: readonly string[];
  /** The queried users that exist. */
  readonly existingUsers: readonly string[];
  /** Content of /etc/docker/daemon.json, when it is a regular file. */
  readonly daemonJson?: string;
  /** `systemctl is-enabled docker` (`enabled`, `disabled`, ... or `` when there is no unit). */
  readonly enabled: string;
  /** `systemctl is-active docker` (`active`, `inactive`, `failed`, ...). */
  readonly active: string;
  /** `dpkg --print-architecture`. */
  readonly architecture: string;
  /** VERSION_CODENAME of /etc/os-release (e.g. `bookworm`). */
  readonly codename: string;
  /** The distribution (/etc/os-release). */
  readonly os: OsRelease;
  /** Content of the queried apt source file, when it exists. */
  readonly repoList?: string;
  /** Content of the queried signing key file, when it exists. */
  readonly repoKey?: string;
  /** Content of the queried apt preferences file, when it exists. */
  readonly repoPin?: string;
}

function fileSection(name: string, path: string | undefined): Command {
  if (path === undefined) return sh`${section(name)}; echo absent`;
  return sh`${section(name)}; if [ -f ${path} ]; then printf 'content '; base64 -w0 < ${path}; echo; else echo absent; fi`;
}

/** One command that reports everything {@link DockerEngineState} holds. */
export const dockerEngineState = defineFact<DockerEngineQuery, DockerEngineState>({
  id: "docker.engineState",
  command: (q) => {
    const format = "${Package}\\t${db:Status-Status}\\t${Version}\\n";
    return script(
      sh`${section("packages")}; dpkg-query -W -f ${format} ${[...DOCKER_PACKAGES]} 2>/dev/null`,
      sh`${section("compose")}; if command -v docker >/dev/null 2>&1; then docker compose version --short 2>/dev/null; fi`,
      sh`${section("dockerd")}; if command -v dockerd >/dev/null 2>&1 || [ -x /usr/bin/dockerd ] || [ -x /usr/sbin/dockerd ]; then echo present; fi`,
      sh`${section("group")}; getent group docker`,
      sh`${section("users")}; for u in ${[...(q.users ?? [])]}; do if id -- "$u" >/dev/null 2>&1; then printf '%s\\n' "$u"; fi; done`,
      fileSection("daemon", DAEMON_JSON),
      sh`${section("service")}; printf 'enabled=%s\\nactive=%s\\n' "$(systemctl is-enabled docker.service 2>/dev/null)" "$(systemctl is-active docker.service 2>/dev/null)"`,
      sh`${section("system")}; dpkg --print-architecture; (. /etc/os-release && printf '%s\\n' "$VERSION_CODENAME" "$ID" "$VERSION_ID")`,
      fileSection("repo", q.repoList),
      fileSection("key", q.repoKey),
      fileSection("pin", q.repoPin),
    );
  },
  parse: (r) => parseDockerEngineState(r.stdout),
});

/** Parse the output of {@link dockerEngineState}'s command (pure). */
export function parseDockerEngineState(stdout: string): DockerEngineState {
  const s = parseSections(stdout);
  if (!s.has("service") || !s.has("system"))
    throw new Error(`Cannot read the docker engine state: unexpected output ${JSON.stringify(stdout.slice(0, 120))}`);
  const packages: Record<string, string> = {};
  for (const line of sectionLines(s, "packages")) {
    const [name = "", status = "", version = ""] = line.split("\t");
    if (name && status === "installed") packages[name] = version;
  }
  const group = sectionLines(s, "group")[0];
  const service = Object.fromEntries(sectionLines(s, "service").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const [architecture = "", codename = "", id = "", versionId = ""] = sectionLines(s, "system");
  const compose = sectionLines(s, "compose")[0]?.trim();
  return {
    packages,
    composeVersion: compose ? compose.replace(/^v/, "") : undefined,
    dockerd: sectionLines(s, "dockerd")[0] === "present",
    groupExists: group !== undefined && group !== "",
    groupMembers: group ? (group.split(":")[3] ?? "").split(",").filter(Boolean) : [],
    existingUsers: sectionLines(s, "users").filter(Boolean),
    daemonJson: base64Section(s, "daemon"),
    enabled: service.enabled ?? "",
    active: service.active ?? "",
    architecture,
    codename,
    os: { id, versionId, codename },
    repoList: base64Section(s, "repo"),
    repoKey: base64Section(s, "key"),
    repoPin: base64Section(s, "pin"),
  };
}
