/**
 * After the switch, every service of the project must be up, not only the gated ones: running
 * (or exited 0, a one-shot job), healthy where it has a healthcheck, and not restarting during a
 * settle time. A worker that crash-loops fails the deploy, which then rolls back.
 */
import { defineTask, unchanged } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, absPath, bool, list, nonEmpty } from "../../lib/core/params.js";
import { composeCommand, type ComposeProjectParams } from "../../lib/tasks/docker/compose-project.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { interruptSignal, sleepUnlessInterrupted } from "./abort.js";
import { stateOf } from "./swap.js";

/** One container as the check sees it. */
export interface ContainerState {
  readonly service: string;
  readonly id: string;
  /** `running`, `restarting`, `exited`... */
  readonly state: string;
  /** `healthy`, `starting`, `unhealthy`, or "". */
  readonly health: string;
  readonly restarts: number;
  readonly exitCode: number;
}

/** What one look at the project found. */
export interface ProjectState {
  /** Services compose runs with `up` (active profiles only). */
  readonly services: readonly string[];
  readonly containers: readonly ContainerState[];
}

/** Parse the check's output (pure). */
export function parseProjectState(stdout: string): ProjectState {
  const s = parseSections(stdout);
  const containers = sectionLines(s, "containers")
    .filter(Boolean)
    .map((line) => {
      const [service = "", id = "", restarts = "0", ...json] = line.split("|");
      const { state, health, exitCode } = stateOf(json.join("|"));
      return { service, id, state, health, restarts: Number(restarts), exitCode };
    });
  return { services: sectionLines(s, "services").filter(Boolean).sort(), containers };
}

/** Why services are not up (one line per service), comparing with the first look for restarts. */
export function servicesDown(now: ProjectState, first?: ProjectState): { problems: string[]; waiting: string[] } {
  const problems: string[] = [];
  const waiting: string[] = [];
  for (const service of now.services) {
    const mine = now.containers.filter((c) => c.service === service);
    if (!mine.length) {
      problems.push(`${service} has no container`);
      continue;
    }
    const up = mine.filter((c) => c.state === "running" || (c.state === "exited" && c.exitCode === 0));
    const bad = mine.find((c) => c.state === "restarting" || (c.state === "exited" && c.exitCode !== 0) || c.health === "unhealthy");
    const restarted = mine.find((c) => {
      const before = first?.containers.find((b) => b.id === c.id);
      return before !== undefined && c.restarts > before.restarts;
    });
    if (bad)
      problems.push(
        `${service} is ${bad.health === "unhealthy" ? "unhealthy" : bad.state}${bad.state === "exited" ? ` (exit ${bad.exitCode})` : ""}`,
      );
    else if (restarted)
      problems.push(
        `${service} restarted ${restarted.restarts - (first?.containers.find((b) => b.id === restarted.id)?.restarts ?? 0)} time(s)`,
      );
    else if (!up.length) problems.push(`${service} is ${mine[0]!.state}`);
    else if (mine.some((c) => c.health === "starting")) waiting.push(`${service} health is starting`);
  }
  return { problems, waiting };
}

/** Parameters for {@link checkServicesUp}. */
export interface CheckServicesUpParams extends ComposeProjectParams {
  readonly projectDir: string;
  /** The release (for messages). */
  readonly release: string;
  /** Seconds every service must stay up without a restart. */
  readonly settleSeconds: number;
  /** Seconds to wait at most for healthchecks that are still starting (on top of the settle time). */
  readonly timeoutSeconds: number;
  /** An interrupt ends the wait (true); false during a rollback. */
  readonly interruptible?: boolean;
}

/**
 * Check that every service of the project is up: looks at the containers, waits `settleSeconds`
 * (longer while a healthcheck is starting, up to `timeoutSeconds`), looks again; a service with no
 * container, exited non-zero, restarting, unhealthy or restarted in between fails it. Read-only.
 * @example checkServicesUp({ projectDir: "/srv/demo", envFiles: [".env", "deploy.env"], projectName: "demo", release: "v2", settleSeconds: 3, timeoutSeconds: 60 })
 */
export const checkServicesUp = defineTask<CheckServicesUpParams>({
  id: "deploy.servicesUp",
  description: "Check that every service of the compose project runs (healthy, no restarts during a settle time).",
  title: (p) => `every service up (${p.release})`,
  schema: params(
    {
      projectDir: absPath,
      release: nonEmpty,
      settleSeconds: { type: "number", minimum: 0 },
      timeoutSeconds: { type: "number", minimum: 0 },
    },
    { files: list(nonEmpty), envFiles: list(nonEmpty), projectName: nonEmpty, interruptible: bool },
  ),
  async check(host, p) {
    if (host.checkMode) return unchanged(`would check that every service is up`);
    const c = sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
    const look = sh`echo @@bosun:services; ${c} config --services || exit 1
echo @@bosun:containers; ids=$(${c} ps -a -q) || exit 1; [ -z "$ids" ] || docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}|{{.Id}}|{{.RestartCount}}|{{json .State}}' $ids`;
    const read = async () => {
      const r = await host.exec(look);
      if (r.code !== 0)
        throw host.fail(`Cannot look at the services of ${p.projectName ?? p.projectDir}: ${(r.stderr || r.stdout).trim()}`);
      return parseProjectState(r.stdout);
    };
    const signal = p.interruptible === false ? undefined : interruptSignal(host);
    const first = await read();
    const deadline = Date.now() + (p.settleSeconds + p.timeoutSeconds) * 1000;
    const settled = Date.now() + p.settleSeconds * 1000;
    for (;;) {
      await sleepUnlessInterrupted(Math.min(1000, Math.max(0, settled - Date.now())) || 500, signal);
      const now = await read();
      const { problems, waiting } = servicesDown(now, first);
      if (problems.length)
        throw host.fail(
          `Cannot keep every service of ${p.release} up: ${problems.join("; ")}`,
          "look at `docker compose logs <service>` in the app dir",
        );
      if (Date.now() >= settled && !waiting.length) return unchanged(`${now.services.length} service(s) up for ${p.settleSeconds}s`);
      if (Date.now() >= deadline) throw host.fail(`Cannot get every service of ${p.release} healthy in time: ${waiting.join("; ")}`);
    }
  },
});
