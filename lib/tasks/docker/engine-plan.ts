/**
 * The pure part of dockerEngine: from the engine's state and the params, what to install, write,
 * restart, and the ONE shell command that does it. An engine and compose v2 that already work,
 * from whatever source, are left alone: no package and no apt source is touched then.
 */
import { raw, sh, type Command } from "../../core/command.js";
import { atomicWrite } from "../files/atomic-write.js";
import { DAEMON_JSON, type DockerEngineState } from "../../facts/docker-engine.js";
import { DOCKER_PIN_FILE, dockerPinText } from "./apt-pin.js";
import { DOCKER_CE_COMPOSE, DOCKER_CE_PACKAGES, defaultSource, distroDocker, dockerRepoUrl, type DockerSource } from "./engine-distros.js";

/** Where Docker's repository's signing key and deb822 apt source live (as Docker's install guide puts them), and bosun's apt pin for it. */
export const DOCKER_REPO = {
  key: "/etc/apt/keyrings/docker.asc",
  list: "/etc/apt/sources.list.d/docker.sources",
  pin: DOCKER_PIN_FILE,
} as const;

/** What fetching Docker's key and reading its https repository needs (installed first when missing). */
export const REPO_PREREQUISITES = ["ca-certificates", "curl"] as const;

/** The choices of dockerEngine that shape the plan (see DockerEngineParams for each). */
export interface EngineWants {
  /** Where the engine comes from; undefined: the distribution's default ({@link defaultSource}). */
  readonly source?: DockerSource;
  /** How compose v2 gets there when it is missing: apt (the source's package), a .deb URL, or not at all. */
  readonly compose: { readonly kind: "apt" } | { readonly kind: "deb"; readonly url: string } | { readonly kind: "none" };
  /** Users in the docker group. */
  readonly users: readonly string[];
  /** The whole daemon.json, when managed. */
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  /** Base URL of Docker's repository or a mirror of it; undefined: download.docker.com for the distribution. */
  readonly repoUrl?: string;
  /** The repository's signing key: a URL, or the ASCII-armoured key itself; undefined: `<repoUrl>/gpg`. */
  readonly repoKey?: string;
}

/** What has to happen; `command` is undefined when nothing does. */
export interface EnginePlan {
  /** The source packages come from (the wanted one, or the distribution's default). */
  readonly source: DockerSource;
  /** Packages installed first so that Docker's key can be fetched (curl, ca-certificates). */
  readonly prerequisites: readonly string[];
  /** Packages to apt-get install. */
  readonly install: readonly string[];
  /** Whether the compose .deb is downloaded and installed (only if `docker compose` fails then). */
  readonly composeDeb: boolean;
  /** Users to add to the docker group. */
  readonly addUsers: readonly string[];
  /** New daemon.json text, when it changes. */
  readonly daemonJson?: string;
  /** Docker's repository: whether its key is written (and from where), the new apt source text and the new pin text (apt-pin.ts). */
  readonly repo: { readonly key: boolean; readonly keyFrom: string; readonly list?: string; readonly pin?: string };
  /** Whether docker restarts (daemon.json changed on an engine that was already installed). */
  readonly restart: boolean;
  /** Whether `systemctl enable` is needed. */
  readonly enable: boolean;
  /** Whether docker is not running now (it is started unless it restarts). */
  readonly start: boolean;
  /** The one command doing all of it. */
  readonly command?: Command;
}

/** daemon.json as bosun writes it: two-space JSON and a final newline. */
export function renderDaemonJson(value: Readonly<Record<string, unknown>>): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => k in b && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/** Whether the current daemon.json text already says what `want` says (invalid JSON never does). */
export function daemonJsonMatches(current: string | undefined, want: Readonly<Record<string, unknown>>): boolean {
  if (current === undefined) return false;
  try {
    return sameJson(JSON.parse(current), want);
  } catch {
    return false;
  }
}

/** The deb822 apt source of Docker's repository (or a mirror of it) for this host, as Docker's install guide writes it. */
export function dockerSourceText(repoUrl: string, architecture: string, codename: string): string {
  return `Types: deb\nURIs: ${repoUrl}\nSuites: ${codename}\nComponents: stable\nArchitectures: ${architecture}\nSigned-By: ${DOCKER_REPO.key}\n`;
}

/** Whether a repository key parameter is the key itself (an ASCII-armoured block) rather than a URL. */
export function isKeyText(key: string): boolean {
  return key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----");
}

const APT = "DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=120";

/** The packages the wanted source installs on this host: the engine when none runs, compose when it fails. */
function wantedPackages(st: DockerEngineState, want: EngineWants, source: DockerSource): string[] {
  const composeMissing = st.composeVersion === undefined && want.compose.kind === "apt";
  if (source === "docker") {
    const engine = st.dockerd ? [] : DOCKER_CE_PACKAGES.filter((p) => p !== DOCKER_CE_COMPOSE);
    return [...engine, ...(composeMissing ? [DOCKER_CE_COMPOSE] : [])];
  }
  const distro = distroDocker(st.os) ?? { engine: "docker.io", compose: "docker-compose" };
  return [...(st.dockerd ? [] : [distro.engine]), ...(composeMissing ? [distro.compose] : [])];
}

/** Docker's repository: key, apt source and pin, written when packages come from it or when bosun's source file says otherwise. */
function planRepo(st: DockerEngineState, want: EngineWants, install: readonly string[]): EnginePlan["repo"] {
  const repoUrl = (want.repoUrl ?? dockerRepoUrl(st.os)).replace(/\/+$/, "");
  const keyFrom = want.repoKey ?? `${repoUrl}/gpg`;
  const text = dockerSourceText(repoUrl, st.architecture, st.codename);
  const needed = install.length > 0 || st.repoList !== undefined;
  if (!needed) return { key: false, keyFrom };
  const keyStale = st.repoKey === undefined || (isKeyText(keyFrom) && st.repoKey.trim() !== keyFrom.trim());
  const pin = dockerPinText(repoUrl, st.packages);
  return { key: keyStale, keyFrom, ...(st.repoList !== text ? { list: text } : {}), ...(st.repoPin !== pin ? { pin } : {}) };
}

/** What must be installed before Docker's repository is used: curl to fetch its key, ca-certificates for https. */
function repoPrerequisites(source: DockerSource, repo: EnginePlan["repo"], install: readonly string[]): readonly string[] {
  if (source !== "docker") return [];
  if (repo.key && !isKeyText(repo.keyFrom)) return REPO_PREREQUISITES;
  return install.length ? ["ca-certificates"] : [];
}

/** Plan the engine from its state (pure). */
export function planEngine(st: DockerEngineState, want: EngineWants): EnginePlan {
  const source = want.source ?? defaultSource(st.os);
  const install = wantedPackages(st, want, source).filter((p) => !(p in st.packages));
  const composeDeb = want.compose.kind === "deb" && st.composeVersion === undefined;
  const addUsers = want.users.filter((u) => !st.groupMembers.includes(u));
  const daemonJson = want.daemonJson && !daemonJsonMatches(st.daemonJson, want.daemonJson) ? renderDaemonJson(want.daemonJson) : undefined;
  const repo = source === "docker" ? planRepo(st, want, install) : { key: false, keyFrom: "" };
  const writesRepo = repo.key || repo.list !== undefined || repo.pin !== undefined;
  const prerequisites = repoPrerequisites(source, repo, install).filter((p) => !(p in st.packages));
  const restart = daemonJson !== undefined && st.dockerd;
  const enable = st.enabled !== "enabled";
  const start = st.active !== "active";
  const todo = install.length || composeDeb || addUsers.length || daemonJson || writesRepo || enable || start || restart;
  const base = { source, prerequisites, install, composeDeb, addUsers, daemonJson, repo, restart, enable, start };
  return todo ? { ...base, command: engineCommand(base, want) } : base;
}

function keyCommand(keyFrom: string): Command {
  const tmp = `${DOCKER_REPO.key}.tmp`;
  const fetch = isKeyText(keyFrom) ? sh`printf '%s\\n' ${keyFrom.trim()} > ${tmp}` : sh`curl -fsSL --retry 3 ${keyFrom} -o ${tmp}`;
  return sh`install -d -m 0755 /etc/apt/keyrings && ${fetch} && chmod a+r ${tmp} && mv -f -- ${tmp} ${DOCKER_REPO.key}`;
}

/** Write `text` to `file` through a temporary file beside it (readable by all, as apt's files are). */
function writeFile(file: string, text: string): Command {
  return sh`printf '%s' ${text} > ${`${file}.tmp`} && chmod 0644 ${`${file}.tmp`} && mv -f -- ${`${file}.tmp`} ${file}`;
}

function engineCommand(plan: Omit<EnginePlan, "command">, want: EngineWants): Command {
  const parts: Command[] = [];
  let stdin: string | undefined;
  if (plan.daemonJson !== undefined) {
    // Keep the previous file: if docker does not start with the new one, it is put back.
    parts.push(
      sh`if [ -f ${DAEMON_JSON} ]; then cp -p -- ${DAEMON_JSON} ${`${DAEMON_JSON}.bosun-prev`}; else rm -f -- ${`${DAEMON_JSON}.bosun-prev`}; fi`,
    );
    const write = atomicWrite(DAEMON_JSON, plan.daemonJson, { mode: "0644", createParents: true });
    parts.push(sh`(${write})`);
    stdin = plan.daemonJson;
  }
  if (plan.prerequisites.length) parts.push(sh`${raw(APT)} update && ${raw(APT)} install ${[...plan.prerequisites]} </dev/null`);
  if (plan.repo.key) parts.push(keyCommand(plan.repo.keyFrom));
  if (plan.repo.list !== undefined) parts.push(writeFile(DOCKER_REPO.list, plan.repo.list));
  // The pin is in place before the first install from the repository.
  if (plan.repo.pin !== undefined) parts.push(writeFile(DOCKER_REPO.pin, plan.repo.pin));
  if (plan.install.length) parts.push(sh`${raw(APT)} update && ${raw(APT)} install ${[...plan.install]} </dev/null`);
  if (plan.composeDeb && want.compose.kind === "deb") {
    parts.push(
      sh`if ! docker compose version >/dev/null 2>&1; then t=$(mktemp -d) && curl -fsSL -o "$t/compose.deb" ${want.compose.url} && DEBIAN_FRONTEND=noninteractive dpkg -i "$t/compose.deb" </dev/null; r=$?; rm -rf -- "$t"; [ "$r" = 0 ] || exit 1; fi`,
    );
  }
  for (const u of plan.addUsers) parts.push(sh`usermod -aG docker ${u}`);
  if (plan.enable) parts.push(sh`systemctl enable --quiet docker.service`);
  if (plan.restart) {
    parts.push(
      sh`s=$(date '+%Y-%m-%d %H:%M:%S'); if ! systemctl restart docker.service 2>/dev/null; then j=$(journalctl -u docker.service --since "$s" --no-pager -o cat 2>&1 | grep -iE 'unable|invalid|error' | tail -n 3); if [ -f ${`${DAEMON_JSON}.bosun-prev`} ]; then mv -f -- ${`${DAEMON_JSON}.bosun-prev`} ${DAEMON_JSON}; else rm -f -- ${DAEMON_JSON}; fi; systemctl reset-failed docker.service; systemctl restart docker.service; printf '%s\\nbosun: docker did not start with the new %s; the previous one is back\\n' "$j" ${DAEMON_JSON} >&2; exit 1; fi`,
    );
  } else parts.push(sh`systemctl start docker.service`);
  if (plan.daemonJson !== undefined) parts.push(sh`rm -f -- ${`${DAEMON_JSON}.bosun-prev`}`);
  if (want.compose.kind !== "none") {
    parts.push(
      // In braces: the whole check is one link of the && chain, so a failed install before it fails the command.
      sh`{ if ! v=$(docker compose version --short 2>&1); then printf 'bosun: docker compose does not work after the install: %s\\n' "$v" >&2; exit 1; fi; echo "@@bosun:compose"; printf '%s\\n' "$v"; }`,
    );
  }
  const text = parts.map((p) => p.text).join(" &&\n");
  return { text, ...(stdin === undefined ? {} : { stdin }), label: describePlan(plan) };
}

/** One line saying what the plan does. */
export function describePlan(plan: Omit<EnginePlan, "command">): string {
  const what: string[] = [];
  if (plan.prerequisites.length) what.push(`install ${plan.prerequisites.join(", ")}`);
  if (plan.repo.key || plan.repo.list) what.push(`add Docker's apt repository${plan.repo.pin ? " and pin its packages" : ""}`);
  else if (plan.repo.pin) what.push("pin Docker's packages to its repository");
  if (plan.install.length) what.push(`install ${plan.install.join(", ")}`);
  if (plan.composeDeb) what.push("install the compose plugin .deb");
  if (plan.addUsers.length) what.push(`add ${plan.addUsers.join(", ")} to the docker group`);
  if (plan.daemonJson !== undefined) what.push(`write ${DAEMON_JSON}`);
  if (plan.enable) what.push("enable docker");
  if (plan.restart) what.push("restart docker");
  else if (plan.start) what.push("start docker");
  return what.join("; ") || "nothing";
}
