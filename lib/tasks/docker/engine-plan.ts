/**
 * The pure part of dockerEngine: from the engine's state and the params, what to install, write,
 * restart, and the ONE shell command that does it.
 */
import { raw, sh, type Command } from "../../core/command.js";
import { atomicWrite } from "../files/atomic-write.js";
import { DAEMON_JSON, type DockerEngineState } from "../../facts/docker-engine.js";

/** Where the upstream repository's signing key and apt source live. */
export const DOCKER_REPO = {
  key: "/etc/apt/keyrings/docker.asc",
  list: "/etc/apt/sources.list.d/docker.list",
  url: "https://download.docker.com/linux/debian",
} as const;

/** Docker's own packages (source `docker`). */
export const UPSTREAM_PACKAGES = ["docker-ce", "docker-ce-cli", "containerd.io", "docker-compose-plugin"] as const;

/** The choices of dockerEngine that shape the plan (see DockerEngineParams for each). */
export interface EngineWants {
  /** Where the engine comes from. */
  readonly source: "debian" | "docker";
  /** How compose v2 gets there when it is missing. */
  readonly compose:
    { readonly kind: "apt"; readonly pkg: string } | { readonly kind: "deb"; readonly url: string } | { readonly kind: "none" };
  /** Users in the docker group. */
  readonly users: readonly string[];
  /** The whole daemon.json, when managed. */
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  /** Base URL of Docker's repository (source `docker`). */
  readonly repoUrl: string;
}

/** What has to happen; `command` is undefined when nothing does. */
export interface EnginePlan {
  /** Packages to apt-get install. */
  readonly install: readonly string[];
  /** Whether the compose .deb is downloaded and installed (only if `docker compose` fails then). */
  readonly composeDeb: boolean;
  /** Users to add to the docker group. */
  readonly addUsers: readonly string[];
  /** New daemon.json text, when it changes. */
  readonly daemonJson?: string;
  /** Whether the upstream key and apt source are written. */
  readonly repo: { readonly key: boolean; readonly list?: string };
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

/** The apt source line of the upstream repository for this host. */
export function upstreamSourceLine(repoUrl: string, architecture: string, codename: string): string {
  return `deb [arch=${architecture} signed-by=${DOCKER_REPO.key}] ${repoUrl} ${codename} stable\n`;
}

const APT = "DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=120";

/** Plan the engine from its state (pure). */
export function planEngine(st: DockerEngineState, want: EngineWants): EnginePlan {
  const engine = want.source === "debian" ? ["docker.io"] : [...UPSTREAM_PACKAGES];
  const composeMissing = st.composeVersion === undefined;
  const pkgs = [...engine, ...(want.compose.kind === "apt" && want.source === "debian" && composeMissing ? [want.compose.pkg] : [])];
  const install = pkgs.filter((p) => !(p in st.packages));
  const engineInstalled = engine.every((p) => p in st.packages);
  const composeDeb = want.compose.kind === "deb" && composeMissing;
  const addUsers = want.users.filter((u) => !st.groupMembers.includes(u));
  const daemonJson = want.daemonJson && !daemonJsonMatches(st.daemonJson, want.daemonJson) ? renderDaemonJson(want.daemonJson) : undefined;
  const list = want.source === "docker" ? upstreamSourceLine(want.repoUrl, st.architecture, st.codename) : undefined;
  const repo = { key: want.source === "docker" && !st.repoKey, list: list !== undefined && st.repoList !== list ? list : undefined };
  const restart = daemonJson !== undefined && engineInstalled;
  const enable = st.enabled !== "enabled";
  const start = st.active !== "active";
  const todo = install.length || composeDeb || addUsers.length || daemonJson || repo.key || repo.list || enable || start || restart;
  const base = { install, composeDeb, addUsers, daemonJson, repo, restart, enable, start };
  return todo ? { ...base, command: engineCommand(base, want) } : base;
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
  if (plan.repo.key) {
    parts.push(
      sh`install -d -m 0755 /etc/apt/keyrings && curl -fsSL ${`${want.repoUrl}/gpg`} -o ${`${DOCKER_REPO.key}.tmp`} && chmod a+r ${`${DOCKER_REPO.key}.tmp`} && mv -f -- ${`${DOCKER_REPO.key}.tmp`} ${DOCKER_REPO.key}`,
    );
  }
  if (plan.repo.list !== undefined) parts.push(sh`printf '%s' ${plan.repo.list} > ${DOCKER_REPO.list}`);
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
      sh`if ! v=$(docker compose version --short 2>&1); then printf 'bosun: docker compose does not work after the install: %s\\n' "$v" >&2; exit 1; fi; echo "@@bosun:compose"; printf '%s\\n' "$v"`,
    );
  }
  const text = parts.map((p) => p.text).join(" &&\n");
  return { text, ...(stdin === undefined ? {} : { stdin }), label: describePlan(plan) };
}

/** One line saying what the plan does. */
export function describePlan(plan: Omit<EnginePlan, "command">): string {
  const what: string[] = [];
  if (plan.repo.key || plan.repo.list) what.push("add Docker's apt repository");
  if (plan.install.length) what.push(`install ${plan.install.join(", ")}`);
  if (plan.composeDeb) what.push("install the compose plugin .deb");
  if (plan.addUsers.length) what.push(`add ${plan.addUsers.join(", ")} to the docker group`);
  if (plan.daemonJson !== undefined) what.push(`write ${DAEMON_JSON}`);
  if (plan.enable) what.push("enable docker");
  if (plan.restart) what.push("restart docker");
  else if (plan.start) what.push("start docker");
  return what.join("; ") || "nothing";
}
