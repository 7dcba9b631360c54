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

/** What the probe says `up` would do: nothing (undefined), or why it must run. */
function upReason(p: ComposeUpParams, stdout: string): string | undefined {
  const s = parseSections(stdout);
  const dry = sectionLines(s, "dry");
  const rc = /^rc=(\d+)$/.exec(dry.at(-1) ?? "")?.[1];
  if (rc !== "0") return `compose's dry run cannot tell (${tail(dry.slice(0, -1).join("\n")) || `exit ${rc ?? "?"}`}): up decides`;
  // Pulls are not changes here; `<id>_name` containers are compose's temporary names while it recreates.
  const actions = parseDryRun(dry.join("\n")).filter((a) => a.action !== "Pull" && !/^Container [0-9a-f]{12}_/.test(a.target));
  // compose acts on services in parallel: sort so that the same plan always reads the same.
  if (actions.length)
    return `would ${actions
      .map((a) => `${a.action.toLowerCase()} ${a.target}`)
      .sort()
      .join("; ")}`;
  const waiting = p.wait
    ? parseComposePs(sectionLines(s, "ps")).filter((c) => c.state !== "running" || !["", "healthy"].includes(c.health ?? ""))
    : [];
  if (waiting.length) return `wait for ${waiting.map((c) => `${c.name} (${c.health || c.state})`).join(", ")}`;
  if (p.pull === "always") return "pull always: up pulls, and recreates what a moved tag changed";
  return undefined;
}

/**
 * Bring a compose project up: `docker compose up -d --remove-orphans [--wait]`. The check is ONE
 * read-only probe, the same with and without --check: `docker compose --dry-run up --pull never`
 * (what compose would do) and `ps -a --format json` (for --wait: running and healthy). A project
 * that runs as declared costs that one command and reports ok. Otherwise the apply runs one more
 * command that snapshots the containers, runs `up`, and snapshots again: the task reports changed
 * only when a container was created, recreated, removed, started or stopped.
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
    // Never pull in the dry run: it would only ask the registry (over HTTPS, whatever daemon.json says).
    const probe = await host.exec(
      script(
        sh`${section("dry")}`,
        sh`${compose} --dry-run up ${upArgs(p, "never")} ${services} 2>&1; echo "rc=$?"`,
        sh`${section("ps")}`,
        sh`${compose} ps -a --format json 2>/dev/null || true`,
      ),
    );
    const reason = upReason(p, probe.stdout);
    if (reason === undefined) return unchanged(`compose project ${projectLabel(p)} runs as declared`, NONE);
    return changed([step], {
      message: reason,
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
