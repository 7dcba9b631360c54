/** composeUp: a compose project runs, detached, orphans removed; changed only when containers changed. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh, type Command } from "../../core/command.js";
import { taskParams, optional, bool, intIn, list, oneOf, type Static } from "../../core/params.js";
import type { ExecResult } from "../../core/connection.js";
import {
  anyContainerChange,
  compareContainers,
  describeContainerChanges,
  parseComposePs,
  parseDryRun,
  type ContainerChanges,
} from "../../facts/docker-compose.js";
import { parseSections, script, section, sectionLines } from "../../facts/docker-sections.js";
import { composeCommand, composeProjectProperties, projectLabel, serviceName, tail } from "./compose-project.js";

/** Parameters for {@link composeUp}. */
export const composeUpParams = taskParams({
  ...composeProjectProperties,
  services: optional(list(serviceName), "Only these services (and their dependencies); all when omitted."),
  wait: optional(bool, "Wait until the services run and are healthy (`--wait`); a service that never gets there fails the task."),
  waitTimeout: optional(intIn({ minimum: 1 }), "Seconds `--wait` waits at most (compose's default: no limit)."),
  removeOrphans: optional(bool, { description: "Remove containers of services no longer in the files.", default: true }),
  pull: optional(oneOf("always", "missing", "never"), "Pull policy of `up` (`--pull`): compose's default `missing` when omitted."),
});
/** Parameters for {@link composeUp}. */
export type ComposeUpParams = Static<typeof composeUpParams>;

/** Output of {@link composeUp}: container names by what happened to them. */
export type ComposeUpOutput = ContainerChanges;

function upArgs(p: ComposeUpParams, pull = p.pull): string[] {
  const args = ["-d"];
  if (p.removeOrphans ?? true) args.push("--remove-orphans");
  if (pull) args.push("--pull", pull);
  return args;
}

function waitArgs(p: ComposeUpParams): string[] {
  if (!p.wait) return [];
  return p.waitTimeout === undefined ? ["--wait"] : ["--wait", "--wait-timeout", String(p.waitTimeout)];
}

const NONE: ContainerChanges = { created: [], recreated: [], removed: [], started: [], stopped: [] };

/**
 * Bring a compose project up: `docker compose up -d --remove-orphans [--wait]`. It runs as ONE
 * command that snapshots the project's containers (`ps -a --format json`), runs `up`, and
 * snapshots again: the task reports changed only when a container was created, recreated,
 * removed, started or stopped. `up` on a project that already runs as declared touches nothing,
 * so a converged project costs one command and reports ok. In check mode it runs
 * `docker compose --dry-run up --pull never` (read-only) and reports what compose would do.
 * @example composeUp({ projectDir: "/srv/cfa", files: ["compose.yaml"], envFiles: [".env", "deploy.env"], projectName: "cfa", wait: true, waitTimeout: 120 })
 */
export const composeUp = defineTask<ComposeUpParams, ComposeUpOutput>({
  id: "docker.composeUp",
  description: "Bring a compose project up (detached, orphans removed, optional --wait); changed only when containers changed.",
  title: (p) => `compose up ${projectLabel(p)}${p.services?.length ? ` (${p.services.join(", ")})` : ""}`,
  schema: composeUpParams,
  validate: (p) => (p.waitTimeout !== undefined && !p.wait ? `parameter "waitTimeout" needs wait: true` : undefined),
  async check(host, p) {
    const compose = sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
    const services = [...(p.services ?? [])];
    const up: Command = sh`${compose} up ${upArgs(p)} ${waitArgs(p)} ${services}`;
    const step = {
      ...script(
        sh`${section("before")}`,
        sh`${compose} ps -a --format json || exit 1`,
        sh`${section("up")}`,
        sh`${up} || exit 1`,
        sh`${section("after")}`,
        sh`${compose} ps -a --format json`,
      ),
      label: `compose up ${projectLabel(p)} (containers before and after)`,
    };
    if (host.checkMode) {
      // Never pull in dry-run mode: it would only ask the registry (over HTTPS, whatever daemon.json says).
      const dry = sh`${compose} --dry-run up ${upArgs(p, "never")} ${services} 2>&1`;
      const r = await host.exec(dry);
      if (r.code !== 0) throw host.fail(`Cannot bring compose project ${projectLabel(p)} up: ${tail(r.stdout) || `exit ${r.code}`}`);
      // Pulls are not changes here; `<id>_name` containers are compose's temporary names while it recreates.
      const actions = parseDryRun(r.stdout).filter((a) => a.action !== "Pull" && !/^Container [0-9a-f]{12}_/.test(a.target));
      if (!actions.length) return unchanged(`compose project ${projectLabel(p)} runs as declared`, NONE);
      // compose acts on services in parallel: sort so that the same plan always reads the same.
      const lines = actions.map((a) => `${a.action.toLowerCase()} ${a.target}`).sort();
      return changed([step], { message: `would ${lines.join("; ")}` });
    }
    return changed([step], {
      finish: (results) => {
        const out = parseSections((results[0] as ExecResult).stdout);
        const changes = compareContainers(parseComposePs(sectionLines(out, "before")), parseComposePs(sectionLines(out, "after")));
        return anyContainerChange(changes)
          ? { changed: true, output: changes, message: describeContainerChanges(changes) }
          : { changed: false, output: changes, message: `compose project ${projectLabel(p)} runs as declared` };
      },
    });
  },
});
