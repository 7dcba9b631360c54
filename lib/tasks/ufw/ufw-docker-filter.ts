/** ufwDockerFilter: ufw's rules loaded in front of the ports docker publishes (DOCKER-USER), or taken out. */
import { defineTask, changed, unchanged, needing } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, oneOf, type Static } from "../../core/params.js";
import { DOCKER_FILTER_CHAIN, DOCKER_FILTER_SCRIPT, dockerFilterState, type DockerFilterState } from "../../facts/ufw-docker-filter.js";

/** Parameters for {@link ufwDockerFilter}. */
export const ufwDockerFilterParams = taskParams({
  state: optional(oneOf("present", "absent"), {
    description: "present: ufw's rules loaded in front of docker's published ports and current; absent: taken out of DOCKER-USER.",
    default: "present",
  }),
});
/** Parameters for {@link ufwDockerFilter}. */
export type UfwDockerFilterParams = Static<typeof ufwDockerFilterParams>;

/**
 * Keep ufw's `deny incoming` true for the ports docker publishes: load the chain that
 * DOCKER-USER jumps to from ufw's rules with the script the firewall role installs
 * (lib/tasks/ufw/docker-filter-files.ts), or take it out (`state: "absent"`). Needs the script
 * in place for `present` (the firewall role writes it first).
 * @example ufwDockerFilter({})
 * @example ufwDockerFilter({ state: "absent" })
 */
export const ufwDockerFilter = defineTask<UfwDockerFilterParams>({
  id: "ufw.dockerFilter",
  description: "ufw's rules in front of the ports docker publishes (DOCKER-USER, as ufw-docker does), or taken out.",
  title: (p) => (p.state === "absent" ? "ufw does not filter docker's published ports" : "ufw filters docker's published ports"),
  schema: ufwDockerFilterParams,
  async check(host, p) {
    let st: DockerFilterState;
    try {
      st = await host.fact(dockerFilterState, undefined);
    } catch (error) {
      throw host.fail(`Cannot read the docker filter: ${(error as Error).message}`, "run the task with sudo: true (iptables needs root)");
    }
    if (p.state === "absent") {
      if (!st.chain) return unchanged(`no chain ${DOCKER_FILTER_CHAIN}`);
      const remove = sh`while iptables -w -D DOCKER-USER -j ${DOCKER_FILTER_CHAIN} 2>/dev/null; do :; done; iptables -w -F ${DOCKER_FILTER_CHAIN} && iptables -w -X ${DOCKER_FILTER_CHAIN} && rm -f /run/bosun-ufw-docker.rules`;
      return changed([remove], { message: `remove chain ${DOCKER_FILTER_CHAIN} from DOCKER-USER` });
    }
    if (st.state === "current") return unchanged("docker's published ports follow ufw's rules");
    const plan = changed([sh`${DOCKER_FILTER_SCRIPT}`], { message: "load the docker filter from ufw's rules" });
    if (st.state !== "no-script") return plan;
    return needing(plan, [
      {
        missing: `${DOCKER_FILTER_SCRIPT} is not installed`,
        doing: "Cannot load the docker filter",
        hint: "write it first (the firewall role does)",
      },
    ]);
  },
});
