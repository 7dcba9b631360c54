/** dockerEngine: docker installed and running, compose v2 present, users in the docker group, daemon.json. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { params, account, list, nonEmpty, oneOf } from "../../core/params.js";
import type { ParamsSchema } from "../../core/task.js";
import type { ExecResult } from "../../core/connection.js";
import { dockerEngineState } from "../../facts/docker-engine.js";
import { parseSections, sectionLines } from "../../facts/docker-sections.js";
import { DOCKER_REPO, describePlan, planEngine, type EngineWants } from "./engine-plan.js";

/** Parameters for {@link dockerEngine}. */
export interface DockerEngineParams {
  /** `debian` (default): the distribution's `docker.io`; `docker`: Docker's apt repository (docker-ce, containerd.io, ...). */
  readonly source?: "debian" | "docker";
  /**
   * How compose v2 gets there when `docker compose version` fails: `apt` installs `composePackage`
   * (the default unless `composePluginDeb` is given), `none` leaves it alone.
   */
  readonly composePlugin?: "apt" | "none";
  /** URL of a compose v2 plugin .deb to install when `docker compose version` fails (source `debian` only). */
  readonly composePluginDeb?: string;
  /** Package providing compose v2 with `composePlugin: "apt"`: `docker-compose` (debian; v2 from trixie on) or `docker-compose-plugin` (docker). */
  readonly composePackage?: string;
  /** Users added to the `docker` group (they can then run docker without sudo). */
  readonly users?: readonly string[];
  /** The whole /etc/docker/daemon.json (e.g. log rotation); docker restarts only when it changes. Left alone when omitted. */
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  /** Base URL of Docker's Debian repository (source `docker`). */
  readonly repoUrl?: string;
}

/** Output of {@link dockerEngine}. */
export interface DockerEngineOutput {
  /** Whether docker was restarted (daemon.json changed on an engine that ran before). */
  readonly restarted: boolean;
  /** `docker compose version --short` after the change (when compose is managed). */
  readonly composeVersion?: string;
}

const url: ParamsSchema = { type: "string", pattern: "^https?://[^\\s]+$" };

function wants(p: DockerEngineParams): EngineWants {
  const source = p.source ?? "debian";
  const compose: EngineWants["compose"] =
    p.composePluginDeb !== undefined
      ? { kind: "deb", url: p.composePluginDeb }
      : p.composePlugin === "none"
        ? { kind: "none" }
        : { kind: "apt", pkg: p.composePackage ?? (source === "docker" ? "docker-compose-plugin" : "docker-compose") };
  return { source, compose, users: p.users ?? [], daemonJson: p.daemonJson, repoUrl: (p.repoUrl ?? DOCKER_REPO.url).replace(/\/+$/, "") };
}

/**
 * Install and run the docker engine: `docker.io` from Debian (or Docker's own repository with its
 * key in /etc/apt/keyrings, `signed-by`), compose v2 (a .deb URL, or a package), `users` in the
 * docker group, and `daemonJson` written atomically; docker restarts ONLY when daemon.json
 * changed, and if it does not start with the new file the previous one is put back. Enabled and
 * started. One command reads everything (packages, compose version, group, daemon.json, service);
 * one more applies the change, installs included (which take the time apt takes).
 * @example dockerEngine({ users: ["deploy"], composePluginDeb: "http://files.lab.test/docker-compose-plugin.deb", daemonJson: { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } } })
 * @example dockerEngine({ source: "docker", users: ["deploy"] })
 */
export const dockerEngine = defineTask<DockerEngineParams, DockerEngineOutput>({
  id: "docker.engine",
  description:
    "Docker engine installed (Debian's docker.io or Docker's repository), compose v2, users in the docker group, daemon.json (restart only on change), running.",
  title: (p) => `docker engine (${p.source ?? "debian"})`,
  schema: params(
    {},
    {
      source: oneOf("debian", "docker"),
      composePlugin: oneOf("apt", "none"),
      composePluginDeb: url,
      composePackage: { ...nonEmpty, pattern: "^[a-z0-9][a-z0-9+.-]+$" },
      users: list(account),
      daemonJson: { type: "object" },
      repoUrl: url,
    },
  ),
  validate: (p) => {
    if (p.composePluginDeb !== undefined && p.composePlugin !== undefined)
      return `give either parameter "composePluginDeb" or "composePlugin", not both`;
    if (p.composePluginDeb !== undefined && p.source === "docker")
      return `parameter "composePluginDeb" is for source "debian"; Docker's repository has docker-compose-plugin`;
    if (p.repoUrl !== undefined && p.source !== "docker") return `parameter "repoUrl" needs source: "docker"`;
    if (p.composePackage !== undefined && p.composePlugin === "none") return `parameter "composePackage" needs composePlugin "apt"`;
    return undefined;
  },
  async check(host, p) {
    const want = wants(p);
    const st = await host.fact(dockerEngineState, {
      users: want.users,
      ...(want.source === "docker" ? { repoList: DOCKER_REPO.list, repoKey: DOCKER_REPO.key } : {}),
    });
    const missingUsers = want.users.filter((u) => !st.existingUsers.includes(u));
    // In --check an earlier task of the run (ensureUser) would have created them: plan as if it had.
    if (missingUsers.length && !host.checkMode) {
      throw host.fail(`Cannot add ${missingUsers.join(", ")} to the docker group: no such user`, "create the user first (ensureUser)");
    }
    if (want.source === "docker" && "docker.io" in st.packages) {
      throw host.fail(
        "Cannot install docker-ce: Debian's docker.io is installed and conflicts with it",
        'remove docker.io first (apt state absent), or keep source: "debian"',
      );
    }
    if (want.compose.kind === "apt" && st.composeVersion === undefined && want.compose.pkg in st.packages) {
      throw host.fail(
        `Cannot provide compose v2: ${want.compose.pkg} ${st.packages[want.compose.pkg]} is installed but \`docker compose\` does not work (Debian bookworm's docker-compose is compose v1)`,
        'give composePluginDeb (a compose v2 plugin .deb) or use source: "docker"',
      );
    }
    const plan = planEngine(st, want);
    if (!plan.command)
      return unchanged(`docker is running${st.composeVersion ? `, compose ${st.composeVersion}` : ""}`, {
        restarted: false,
        composeVersion: st.composeVersion,
      });
    const diff = [
      ...(plan.daemonJson !== undefined ? [{ label: "/etc/docker/daemon.json", before: st.daemonJson, after: plan.daemonJson }] : []),
      {
        label: "docker engine",
        before: { packages: Object.keys(st.packages), groupMembers: st.groupMembers, enabled: st.enabled, active: st.active },
        after: {
          packages: [...Object.keys(st.packages), ...plan.install],
          groupMembers: [...st.groupMembers, ...plan.addUsers],
          enabled: "enabled",
          active: "active",
        },
      },
    ];
    return changed([plan.command], {
      diff,
      message: missingUsers.length
        ? `${describePlan(plan)}; ${missingUsers.join(", ")} do(es) not exist yet, so applying fails unless an earlier task creates them`
        : describePlan(plan),
      output: { restarted: plan.restart, composeVersion: st.composeVersion },
      finish: (results) => {
        const out = sectionLines(parseSections((results[0] as ExecResult).stdout), "compose");
        return { output: { restarted: plan.restart, composeVersion: out[0]?.trim().replace(/^v/, "") || st.composeVersion } };
      },
    });
  },
});
