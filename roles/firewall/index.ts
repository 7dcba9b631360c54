/**
 * Role `firewall`: ufw installed, SSH allowed first (so enabling never cuts the session), default
 * deny incoming / allow outgoing, HTTP and HTTPS and the listed ports allowed, ufw enabled; and
 * ufw's rules kept in front of the ports docker publishes (which bypass ufw otherwise: docker's NAT
 * sends them through FORWARD), unless `dockerFilter` is false.
 */
import type { Host } from "../../lib/run/host.js";
import type { TaskResult } from "../../lib/core/task.js";
import { apt } from "../../lib/tasks/packages/index.js";
import { ensureAbsent, ensureFile } from "../../lib/tasks/files/index.js";
import { systemdUnit } from "../../lib/tasks/services/index.js";
import { ufwAllow, ufwDefault, ufwDockerFilter, ufwEnable, ufwLimit } from "../../lib/tasks/ufw/index.js";
import {
  DOCKER_FILTER_PATH,
  DOCKER_FILTER_PATH_TEXT,
  DOCKER_FILTER_SCRIPT,
  DOCKER_FILTER_SCRIPT_TEXT,
  DOCKER_FILTER_SERVICE,
  DOCKER_FILTER_SERVICE_TEXT,
} from "../../lib/tasks/ufw/docker-filter-files.js";
import type { UfwPolicy } from "../../lib/facts/ufw.js";
import { defineRole } from "../../lib/run/role.js";

/** A port the role opens, with more detail than a number. */
export interface FirewallRolePort {
  /** Port (22) or range ("6000:6007"). */
  readonly port: number | string;
  /** Protocol (default "tcp"). */
  readonly proto?: "tcp" | "udp" | "any";
  /** Only from this address or network. */
  readonly from?: string;
  /** Comment stored with the rule. */
  readonly comment?: string;
}

/** Inputs of {@link firewallRole}; every field has a default ({@link FIREWALL_ROLE_DEFAULTS}). */
export interface FirewallRoleInput {
  /** The port sshd listens on, allowed before anything else (22). */
  readonly sshPort?: number;
  /** Rate-limit SSH (ufw limit: 6 new connections per 30 s per address) instead of plainly allowing it (false). */
  readonly limitSsh?: boolean;
  /** Allow HTTP and HTTPS, 80/tcp and 443/tcp (true). */
  readonly web?: boolean;
  /** More ports to allow: numbers and ranges are TCP; objects say protocol and source ([]). */
  readonly ports?: readonly (number | string | FirewallRolePort)[];
  /** Policy for incoming traffic no rule allows ("deny"). */
  readonly incoming?: UfwPolicy;
  /** Policy for outgoing traffic ("allow"). */
  readonly outgoing?: UfwPolicy;
  /** Policy for routed traffic ("deny"). */
  readonly routed?: UfwPolicy;
  /** Enable ufw at the end (true); false leaves it as it is. */
  readonly enable?: boolean;
  /**
   * Keep ufw's rules in front of the ports docker publishes (true): rules in DOCKER-USER follow
   * ufw's allow list, as ufw-docker does; false takes them out (published ports then bypass ufw).
   */
  readonly dockerFilter?: boolean;
  /** Tags given to the role's tasks (["firewall"]). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link FirewallRoleInput}. */
export const FIREWALL_ROLE_DEFAULTS = {
  sshPort: 22,
  limitSsh: false,
  web: true,
  ports: [] as readonly (number | string | FirewallRolePort)[],
  incoming: "deny",
  outgoing: "allow",
  routed: "deny",
  enable: true,
  dockerFilter: true,
  tags: ["firewall"] as readonly string[],
} as const;

/** The port rules the role adds, in order: SSH, web, then the listed ports. */
export function firewallRolePorts(input: FirewallRoleInput = {}): FirewallRolePort[] {
  const o = { ...FIREWALL_ROLE_DEFAULTS, ...input };
  const web: FirewallRolePort[] = o.web
    ? [
        { port: 80, comment: "http" },
        { port: 443, comment: "https" },
      ]
    : [];
  const listed = o.ports.map((p): FirewallRolePort => (typeof p === "object" ? p : { port: p }));
  return [...web, ...listed].map((p) => ({ proto: "tcp", ...p }));
}

/**
 * Put ufw in front of the host: install it, allow SSH, set the default policies, allow the web
 * ports and `ports`, enable it. Returns the task results in order. Installs ufw with the `apt` task
 * (package lists refreshed when older than a day).
 * @example await firewallRole(host, { ports: [{ port: 5432, from: "10.0.0.0/8", comment: "postgres" }] })
 */
export const firewallRole = defineRole<FirewallRoleInput, TaskResult[], typeof FIREWALL_ROLE_DEFAULTS>({
  name: "firewall",
  description: "ufw: deny incoming, allow SSH and the listed ports, and the same rules for ports docker publishes.",
  defaults: FIREWALL_ROLE_DEFAULTS,
  async apply(host, input) {
    const o = { ...FIREWALL_ROLE_DEFAULTS, ...input };
    const tags = o.tags;
    const results: TaskResult[] = [];
    results.push(await host.run(apt({ names: "ufw", updateCache: true, cacheValidSeconds: 86_400, tags })));
    const ssh = { port: o.sshPort, proto: "tcp" as const, comment: "ssh", tags };
    results.push(await host.run(o.limitSsh ? ufwLimit(ssh) : ufwAllow(ssh)));
    results.push(await host.run(ufwDefault({ incoming: o.incoming, outgoing: o.outgoing, routed: o.routed, tags })));
    for (const p of firewallRolePorts(o)) results.push(await host.run(ufwAllow({ ...p, tags })));
    if (o.enable) results.push(await host.run(ufwEnable({ tags })));
    results.push(...(await dockerFilter(host, o.dockerFilter, tags)));
    return results;
  },
});

/** The docker filter's script, units and loaded rules (present), or none of them (absent). */
async function dockerFilter(host: Pick<Host, "run">, on: boolean, tags: readonly string[]): Promise<TaskResult[]> {
  const results: TaskResult[] = [];
  if (on) {
    results.push(await host.run(ensureFile({ path: DOCKER_FILTER_SCRIPT, content: DOCKER_FILTER_SCRIPT_TEXT, mode: "0755", tags })));
    results.push(await host.run(systemdUnit({ name: DOCKER_FILTER_SERVICE, content: DOCKER_FILTER_SERVICE_TEXT, enabled: true, tags })));
    results.push(
      await host.run(systemdUnit({ name: DOCKER_FILTER_PATH, content: DOCKER_FILTER_PATH_TEXT, enabled: true, started: true, tags })),
    );
    results.push(await host.run(ufwDockerFilter({ tags })));
    return results;
  }
  results.push(await host.run(systemdUnit({ name: DOCKER_FILTER_PATH, state: "absent", tags })));
  results.push(await host.run(systemdUnit({ name: DOCKER_FILTER_SERVICE, state: "absent", tags })));
  results.push(await host.run(ufwDockerFilter({ state: "absent", tags })));
  results.push(await host.run(ensureAbsent({ path: DOCKER_FILTER_SCRIPT, tags })));
  return results;
}
