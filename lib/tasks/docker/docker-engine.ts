/** dockerEngine: docker installed and running, compose v2 present, users in the docker group, daemon.json. */
import { defineTask, changed, unchanged, needing } from "../../core/task.js";
import { taskParams, optional, typed, matching, account, list, nonEmpty, oneOf, type Static } from "../../core/params.js";
import type { ExecResult } from "../../core/connection.js";
import { aptCandidates } from "../../facts/docker-engine-candidates.js";
import { dockerEngineState, type DockerEngineState } from "../../facts/docker-engine.js";
import { parseSections, sectionLines } from "../../facts/docker-sections.js";
import { defaultSource, distroComposeProblem, distroDocker } from "./engine-distros.js";
import { DOCKER_REPO, describePlan, planEngine, type EngineWants } from "./engine-plan.js";

const url = matching("^https?://[^\\s]+$");

/** Parameters for {@link dockerEngine}. */
export const dockerEngineParams = taskParams({
  source: optional(
    oneOf("docker", "distro"),
    "Where docker comes from when it must be installed: `docker`, Docker's apt repository (docker-ce, docker-ce-cli, containerd.io, docker-buildx-plugin, docker-compose-plugin; its key in /etc/apt/keyrings, a deb822 `signed-by` source), or `distro`, the distribution's own packages (docker.io with docker-compose on Debian 13, docker-compose-v2 on Ubuntu; refused on Debian 12, whose docker-compose is compose v1). Default: `distro` on Debian 13 and later, `docker` elsewhere. An engine and compose v2 that already work are left alone, whatever their source.",
  ),
  composePlugin: optional(oneOf("apt", "none"), {
    description:
      "How compose v2 gets there when `docker compose version` fails: `apt` installs the source's package, `none` leaves it alone.",
    default: "apt",
  }),
  composePluginDeb: optional(
    url,
    "Offline option: URL of a compose v2 plugin .deb installed when `docker compose version` fails, instead of a package (implies source `distro`).",
  ),
  users: optional(list(account), "Users added to the `docker` group (they can then run docker without sudo)."),
  daemonJson: optional(
    typed<Readonly<Record<string, unknown>>>({ type: "object" }),
    "The whole /etc/docker/daemon.json (e.g. log rotation); docker restarts only when it changes. Left alone when omitted.",
  ),
  repoUrl: optional(
    url,
    "Base URL of Docker's repository or a mirror of it (source `docker`); default `https://download.docker.com/linux/<debian|ubuntu>`.",
  ),
  repoKey: optional(
    typed<string>({ ...nonEmpty, anyOf: [{ pattern: "^https?://[^\\s]+$" }, { pattern: "-----BEGIN PGP PUBLIC KEY BLOCK-----" }] }),
    "The repository's signing key: a URL (default `<repoUrl>/gpg`) or the ASCII-armoured key itself (source `docker`).",
  ),
});
/** Parameters for {@link dockerEngine}. */
export type DockerEngineParams = Static<typeof dockerEngineParams>;

/** Output of {@link dockerEngine}. */
export interface DockerEngineOutput {
  /** Whether docker was restarted (daemon.json changed on an engine that ran before). */
  readonly restarted: boolean;
  /** `docker compose version --short` after the change (when compose is managed). */
  readonly composeVersion?: string;
}

function wants(p: DockerEngineParams): EngineWants {
  const compose: EngineWants["compose"] =
    p.composePluginDeb !== undefined ? { kind: "deb", url: p.composePluginDeb } : { kind: p.composePlugin ?? "apt" };
  // The offline .deb completes the distribution's engine: it implies source "distro".
  const source = p.source ?? (p.composePluginDeb !== undefined ? "distro" : undefined);
  return { source, compose, users: p.users ?? [], daemonJson: p.daemonJson, repoUrl: p.repoUrl, repoKey: p.repoKey };
}

/** Whether the distribution's compose package will be installed (so what apt offers must be checked first). */
function needsDistroCompose(st: DockerEngineState, want: EngineWants): boolean {
  return (want.source ?? defaultSource(st.os)) === "distro" && want.compose.kind === "apt" && st.composeVersion === undefined;
}

/**
 * Install and run the docker engine with compose v2, from Docker's apt repository (or a mirror;
 * key in /etc/apt/keyrings, a deb822 `signed-by` source) or from the distribution (see `source`);
 * an engine and compose v2 that already work are left alone, never converted to another source.
 * `users` join the docker group, and `daemonJson` is written atomically; docker restarts ONLY
 * when daemon.json changed, and if it does not start with the new file the previous one is put
 * back. Enabled and started. One command reads everything (packages, compose version, group,
 * daemon.json, service, distribution); one more applies the change, installs included.
 * @example dockerEngine({ users: ["deploy"], daemonJson: { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } } })
 * @example dockerEngine({ source: "docker", repoUrl: "https://mirror.example.com/docker-ce/linux/debian", users: ["deploy"] })
 */
export const dockerEngine = defineTask<DockerEngineParams, DockerEngineOutput>({
  id: "docker.engine",
  description:
    "Docker engine and compose v2 from Docker's apt repository (or a mirror) or the distribution, left alone when they already work; users in the docker group, daemon.json (restart only on change), running.",
  title: (p) => `docker engine${p.source ? ` (${p.source})` : ""}`,
  schema: dockerEngineParams,
  validate: (p) => {
    if (p.composePluginDeb !== undefined && p.composePlugin !== undefined)
      return `give either parameter "composePluginDeb" or "composePlugin", not both`;
    if (p.composePluginDeb !== undefined && p.source === "docker")
      return `parameter "composePluginDeb" is for source "distro"; Docker's repository has docker-compose-plugin`;
    for (const name of ["repoUrl", "repoKey"] as const) {
      if (p[name] !== undefined && p.source === "distro") return `parameter "${name}" is for source "docker", not "distro"`;
    }
    return undefined;
  },
  async check(host, p) {
    const want = wants(p);
    const st = await host.fact(dockerEngineState, {
      users: want.users,
      repoList: DOCKER_REPO.list,
      repoKey: DOCKER_REPO.key,
      repoPin: DOCKER_REPO.pin,
    });
    const missingUsers = want.users.filter((u) => !st.existingUsers.includes(u));
    // An earlier task of the run (ensureUser) may create them: a prerequisite the runner settles.
    const needs = missingUsers.length
      ? [
          {
            missing: `user ${missingUsers.join(", ")} does not exist`,
            doing: `Cannot add ${missingUsers.join(", ")} to the docker group`,
            hint: "create the user first (ensureUser)",
          },
        ]
      : [];
    if (needsDistroCompose(st, want)) {
      const compose = distroDocker(st.os)?.compose;
      const apt = compose ? await host.fact(aptCandidates, [compose]) : { candidates: {}, hasLists: false };
      const problem = distroComposeProblem(st.os, apt);
      if (problem) throw host.fail(problem.message, problem.hint);
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
    const planned = changed([plan.command], {
      diff,
      message: describePlan(plan),
      output: { restarted: plan.restart, composeVersion: st.composeVersion },
      finish: (results) => {
        const out = sectionLines(parseSections((results[0] as ExecResult).stdout), "compose");
        return { output: { restarted: plan.restart, composeVersion: out[0]?.trim().replace(/^v/, "") || st.composeVersion } };
      },
    });
    return needing(planned, needs);
  },
});
