/** composeDown: a compose project is stopped and removed (containers, networks, optionally volumes). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, bool, intIn, type Static } from "../../core/params.js";
import { parseSections, script, section, sectionLines } from "../../facts/docker-sections.js";
import { composeCommand, composeProjectProperties, projectLabel, tail } from "./compose-project.js";

/** Parameters for {@link composeDown}. */
export const composeDownParams = taskParams({
  ...composeProjectProperties,
  volumes: optional(bool, { description: "Also remove the project's named volumes (`-v`): its data is gone.", default: false }),
  timeout: optional(intIn({ minimum: 0 }), "Seconds to wait for containers to stop before killing them (`-t`)."),
});
/** Parameters for {@link composeDown}. */
export type ComposeDownParams = Static<typeof composeDownParams>;

/** Output of {@link composeDown}: what was (or in check mode would be) removed. */
export interface ComposeDownOutput {
  /** Container names. */
  readonly containers: readonly string[];
  /** Network names. */
  readonly networks: readonly string[];
  /** Volume names (only with `volumes: true`). */
  readonly volumes: readonly string[];
}

/**
 * Stop and remove a compose project (`docker compose down --remove-orphans [-v]`). One command
 * lists the project's containers, networks and (with `volumes`) volumes by compose's project
 * label; nothing to remove means ok. Otherwise one more command takes it down.
 * @example composeDown({ projectDir: "/srv/old-app", projectName: "old-app", volumes: true })
 */
export const composeDown = defineTask<ComposeDownParams, ComposeDownOutput>({
  id: "docker.composeDown",
  description: "Stop and remove a compose project (containers, networks, optionally its volumes).",
  title: (p) => `compose down ${projectLabel(p)}`,
  schema: composeDownParams,
  async check(host, p) {
    const compose = sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
    const label = sh`label=com.docker.compose.project="$n"`;
    const r = await host.exec(
      script(
        sh`n=$(${compose} config 2>&1 | sed -n '1s/^name: //p')`,
        sh`if [ -z "$n" ]; then ${compose} config -q >&2; exit 1; fi`,
        sh`${section("containers")}; docker ps -a --filter ${label} --format '{{.Names}}'`,
        sh`${section("networks")}; docker network ls --filter ${label} --format '{{.Name}}'`,
        sh`${section("volumes")}; ${p.volumes ? sh`docker volume ls --filter ${label} --format '{{.Name}}'` : sh`:`}`,
      ),
    );
    if (r.code !== 0 || !r.stdout.includes("@@bosun:volumes")) {
      throw host.fail(`Cannot take compose project ${projectLabel(p)} down: ${tail(r.stderr) || `exit ${r.code}`}`);
    }
    const s = parseSections(r.stdout);
    const found = { containers: sectionLines(s, "containers"), networks: sectionLines(s, "networks"), volumes: sectionLines(s, "volumes") };
    if (!found.containers.length && !found.networks.length && !found.volumes.length)
      return unchanged(`compose project ${projectLabel(p)} is down`, found);
    const args = [
      "--remove-orphans",
      ...(p.volumes ? ["--volumes"] : []),
      ...(p.timeout === undefined ? [] : ["--timeout", String(p.timeout)]),
    ];
    const what = Object.entries(found)
      .filter(([, v]) => v.length)
      .map(([k, v]) => `${k} ${v.join(", ")}`)
      .join("; ");
    return changed([sh`${compose} down ${args}`], {
      output: found,
      message: `removed ${what}`,
      diff: { label: `compose project ${projectLabel(p)}`, before: found, after: undefined },
    });
  },
});
