/** Whether the rules that put ufw in front of docker's published ports are loaded and current. */
import { defineFact } from "../core/fact.js";
import { sh } from "../core/command.js";

/** The script that (re)loads the chain from ufw's rules (written by the firewall role). */
export const DOCKER_FILTER_SCRIPT = "/usr/local/sbin/bosun-ufw-docker";

/** The chain DOCKER-USER jumps to. */
export const DOCKER_FILTER_CHAIN = "bosun-ufw-docker";

/** The script missing, its rules current or stale; and whether the chain exists. */
export interface DockerFilterState {
  /** `no-script`: not installed; `current`: loaded rules are ufw's current ones; `stale`: not loaded or outdated. */
  readonly state: "no-script" | "current" | "stale";
  /** Whether the chain exists in the filter table. */
  readonly chain: boolean;
}

/** The filter's state: the script's own `--check`, and `iptables -S` of the chain. */
export const dockerFilterState = defineFact<undefined, DockerFilterState>({
  id: "ufw.dockerFilterState",
  command: () =>
    sh`if [ ! -x ${DOCKER_FILTER_SCRIPT} ]; then echo no-script; elif ${DOCKER_FILTER_SCRIPT} --check; then echo current; else echo stale; fi; if iptables -w -S ${DOCKER_FILTER_CHAIN} >/dev/null 2>&1; then echo chain; else echo no-chain; fi`,
  parse: (r) => parseDockerFilterState(r.stdout),
});

/** Parse the output of {@link dockerFilterState}'s command (pure). */
export function parseDockerFilterState(stdout: string): DockerFilterState {
  const [state = "", chain = ""] = stdout.trim().split("\n");
  if (state !== "no-script" && state !== "current" && state !== "stale") {
    throw new Error(`unexpected output ${JSON.stringify(stdout.slice(0, 120))}`);
  }
  return { state, chain: chain === "chain" };
}
