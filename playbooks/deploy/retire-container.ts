/** Steps 3-4 of start beside, gate, switch, drain (swap.ts): refuse new connections to the old container, then remove it. */
import { defineTask, changed, unchanged } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, list, nonEmpty } from "../../lib/core/params.js";

/** Parameters for {@link removeContainers}. */
export interface RemoveContainersParams {
  /** What they are (for the title). */
  readonly what: string;
  /** Container ids. */
  readonly ids: readonly string[];
}

/**
 * Stop (SIGTERM, their stop timeout) and remove containers: the old release of a fronted service
 * after its drain, or a new one that failed its gate. Check mode: would remove.
 * @example removeContainers({ what: "app (the release before v2)", ids: [oldId] })
 */
export const removeContainers = defineTask<RemoveContainersParams>({
  id: "deploy.removeContainers",
  description: "Stop and remove containers (the old release of a fronted service after its drain, or a new one that failed its gate).",
  title: (p) => `stop ${p.what}`,
  schema: params({ what: nonEmpty, ids: list(nonEmpty) }),
  async check(_host, p) {
    if (!p.ids.length) return unchanged("nothing to stop");
    const stop = sh`docker stop -- ${[...p.ids]} >/dev/null && docker rm -- ${[...p.ids]} >/dev/null`;
    return changed([{ ...stop, label: `docker stop && docker rm ${p.ids.map((i) => i.slice(0, 12)).join(" ")}` }], {
      message: `stopped and removed ${p.ids.map((i) => i.slice(0, 12)).join(", ")}`,
    });
  },
});

/** Parameters for {@link refuseNewConnections}. */
export interface RefuseNewConnectionsParams {
  /** `ip:port` of a container. */
  readonly address: string;
  /** present: new connections from this host to it are refused (established ones go on); absent: accepted again. */
  readonly state: "present" | "absent";
  /** The upstream it belongs to (the rule's comment, so that a later deploy finds rules a dead one left). */
  readonly upstream: string;
}

/** The iptables rule (without -I/-D/-C) that refuses new connections from this host to `address`. */
export function refuseRule(address: string, upstream: string): string[] {
  const [ip = "", port = ""] = address.split(":");
  return [
    "OUTPUT",
    "-p",
    "tcp",
    "-d",
    ip,
    "--dport",
    port,
    "-m",
    "conntrack",
    "--ctstate",
    "NEW",
    "-m",
    "comment",
    "--comment",
    `bosun:${upstream}`,
    "-j",
    "REJECT",
    "--reject-with",
    "tcp-reset",
  ];
}

/**
 * The switch itself, without a reload: an iptables rule refuses NEW connections from this host to
 * a container (established ones, the requests in flight, go on). nginx, which has the other
 * container as `backup` in the upstream, then sends every new request there at once, whatever
 * generation its worker is: the version users see changes exactly once. Runs with sudo.
 * @example refuseNewConnections({ address: "172.18.0.4:8080", state: "present", upstream: "demo_app" })
 */
export const refuseNewConnections = defineTask<RefuseNewConnectionsParams>({
  id: "deploy.refuseNewConnections",
  description:
    "Refuse (or accept again) new connections from the host to a container: the atomic switch between an upstream's server and its backup.",
  title: (p) => `${p.state === "present" ? "refuse" : "accept"} new connections to ${p.address}`,
  schema: params({ address: nonEmpty, state: nonEmpty, upstream: nonEmpty }),
  async check(host, p) {
    const rule = refuseRule(p.address, p.upstream);
    const has = (await host.exec(sh`iptables -C ${rule} 2>/dev/null && echo yes || true`)).stdout.trim() === "yes";
    if ((p.state === "present") === has) return unchanged(`new connections to ${p.address} are ${has ? "refused" : "accepted"}`);
    const step = p.state === "present" ? sh`iptables -I ${rule}` : sh`while iptables -D ${rule} 2>/dev/null; do :; done`;
    return changed([step], { message: `${p.state === "present" ? "refused" : "accept again"} new connections to ${p.address}` });
  },
});
