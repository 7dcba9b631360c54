/**
 * Start beside, gate, switch, drain: how a release replaces a service that nginx fronts without a
 * failed request. The mechanism is compose scale-and-swap (as docker-rollout does it), not
 * blue/green projects, so that one project keeps its volumes, networks and database:
 *
 *   1. `compose up -d --no-deps --no-recreate --scale S=n+1 S` starts ONE new container of the new
 *      release next to the running one (compose gives it the current files and deploy.env);
 *   2. the gate asks the NEW container directly (its address on the compose network): state
 *      running, healthy when it has a healthcheck, and the service's readiness URLs with their
 *      host:port replaced by the container's; nginx still sends every request to the old one;
 *   3. the nginx upstream file is rewritten to the new address, `nginx -t`, graceful reload
 *      (the old workers finish their requests);
 *   4. after `drain_seconds` the old container is stopped (SIGTERM, its stop timeout) and removed.
 * A new container that fails its gate is removed: it never received a request. The service must
 * not publish a fixed host port (two containers cannot bind it; nginx reaches them directly).
 */
import { defineTask, changed, unchanged } from "../../lib/core/task.js";
import { sh, type Command } from "../../lib/core/command.js";
import { params, absPath, any, bool, int, list, nonEmpty } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { composeCommand, type ComposeProjectParams } from "../../lib/tasks/docker/compose-project.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { interruptSignal, sleepUnlessInterrupted } from "./abort.js";

export { switchUpstream, upstreamConf, upstreamFile } from "../../lib/tasks/tls/nginx-upstream.js";

/** One container of a fronted service. */
export interface ServiceContainer {
  /** Full container id. */
  readonly id: string;
  /** `ip:port` nginx and the gate reach it at. */
  readonly address: string;
}

/** `ip:port` from `docker inspect`'s network addresses (the first non-empty one). */
export function containerAddress(ips: string, port: number): string | undefined {
  const ip = ips.split(/\s+/).find((s) => /^\d+\.\d+\.\d+\.\d+$/.test(s));
  return ip ? `${ip}:${port}` : undefined;
}

/** The readiness URL of a gate, pointed at one container: `http://127.0.0.1:8080/api/ready` → `http://172.18.0.5:8080/api/ready`. */
export function urlAt(url: string, address: string): string {
  const u = new URL(url);
  return `http://${address}${u.pathname}${u.search}`;
}

/** Parameters for {@link startBeside}. */
export interface StartBesideParams extends ComposeProjectParams {
  readonly projectDir: string;
  /** The fronted service. */
  readonly service: string;
  /** The container port nginx proxies to. */
  readonly port: number;
}

/** Output of {@link startBeside}. */
export interface StartBesideOutput {
  /** `started`: a new container runs beside the old; `current`: the running one is already this release; `none`: nothing runs yet (compose up starts it). */
  readonly outcome: "started" | "current" | "none";
  /** The containers that ran before (they keep serving). */
  readonly old: readonly ServiceContainer[];
  /** The new container, next to them. */
  readonly started?: ServiceContainer;
}

const ADDRESS = "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}";
const HASH_LABEL = '{{index .Config.Labels "com.docker.compose.config-hash"}}';

function parseContainers(lines: readonly string[], port: number): ServiceContainer[] {
  return lines
    .filter(Boolean)
    .map((line) => {
      const [id = "", ...ips] = line.split(" ");
      return { id, address: containerAddress(ips.join(" "), port) ?? "" };
    })
    .filter((c) => c.id);
}

function compose(p: ComposeProjectParams): Command {
  return sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
}

/**
 * Start one container of the release next to the running ones of a service (scale n+1, nothing
 * recreated, no dependency touched) and report its address. Check mode: would start.
 * @example startBeside({ projectDir: "/srv/demo", envFiles: [".env", "deploy.env"], projectName: "demo", service: "app", port: 8080 })
 */
export const startBeside = defineTask<StartBesideParams, StartBesideOutput>({
  id: "deploy.startBeside",
  description: "Start one container of a service's new release next to the running one (compose scale n+1, nothing recreated).",
  title: (p) => `start ${p.service} beside the running release`,
  schema: params(
    { projectDir: absPath, service: nonEmpty, port: { ...int, minimum: 1 } },
    { files: list(nonEmpty), envFiles: list(nonEmpty), projectName: nonEmpty },
  ),
  async check(host, p) {
    const c = compose(p);
    // What runs (id, address, config hash) and the hash compose wants now: equal means nothing to replace.
    const look = await host.exec(sh`echo @@bosun:want; ${c} config --hash ${p.service} || exit 1
echo @@bosun:running; for id in $(${c} ps -q ${p.service}); do echo "$id $(docker inspect -f ${`${HASH_LABEL} ${ADDRESS}`} "$id")"; done`);
    if (look.code !== 0) throw host.fail(`Cannot read the containers of ${p.service}: ${(look.stderr || look.stdout).trim()}`);
    const sections = parseSections(look.stdout);
    const want = (sectionLines(sections, "want")[0] ?? "").split(" ").pop() ?? "";
    const running = sectionLines(sections, "running")
      .filter(Boolean)
      .map((l) => l.split(" "));
    const old = parseContainers(
      running.map(([id = "", , ...ips]) => `${id} ${ips.join(" ")}`),
      p.port,
    );
    if (!running.length) return unchanged(`no container of ${p.service} runs yet: compose up starts it`, { outcome: "none", old: [] });
    if (want && running.every(([, hash]) => hash === want))
      return unchanged(`${p.service} already runs this release`, { outcome: "current", old });
    const step = sh`all=$(${c} ps -a -q ${p.service}) || exit 1; n=$(printf '%s\\n' $all | grep -c .)
${c} up -d --no-deps --no-recreate --scale ${p.service}=$((n + 1)) ${p.service} >&2 || exit 1
echo @@bosun:new; for id in $(${c} ps -a -q ${p.service}); do case " $(echo $all) " in *" $id "*) ;; *) echo "$id $(docker inspect -f ${ADDRESS} "$id")";; esac; done`;
    return changed<StartBesideOutput>([{ ...step, label: `compose up --scale ${p.service}=n+1 --no-recreate ${p.service}` }], {
      message: `would start a container of ${p.service} next to the running one`,
      output: { outcome: "started", old },
      finish: (results) => {
        const [started] = parseContainers(sectionLines(parseSections((results[0] as ExecResult).stdout), "new"), p.port);
        if (!started?.address) return { failed: `compose started no new container of ${p.service} with an address` };
        return {
          output: { outcome: "started", old, started },
          message: `started ${started.id.slice(0, 12)} at ${started.address} beside ${old.map((o) => o.id.slice(0, 12)).join(", ")}`,
        };
      },
    });
  },
});

/** One readiness URL of a gate. */
export interface GateUrl {
  readonly url: string;
  readonly status?: number | readonly number[];
  readonly body?: string;
}

/** Parameters for {@link gateContainer}. */
export interface GateContainerParams {
  /** The service (for messages). */
  readonly service: string;
  /** The release (for messages). */
  readonly release: string;
  /** The container gated. */
  readonly container: string;
  /** Its readiness URLs, already pointed at it. */
  readonly urls: readonly GateUrl[];
  /** Seconds to wait at most. */
  readonly timeoutSeconds: number;
  /** An interrupt ends the wait (true); false while a rollback waits for the old release. */
  readonly interruptible?: boolean;
}

/** What one probe of a container saw (pure parse of {@link probeCommand}'s output). */
export interface ContainerProbe {
  /** `running`, `restarting`, `exited`... */
  readonly state: string;
  /** `healthy`, `starting`, `unhealthy`, or "" without a healthcheck. */
  readonly health: string;
  /** Status and first body line per URL ("000" when nothing answered). */
  readonly answers: readonly { status: number; body: string }[];
}

function probeCommand(container: string, urls: readonly GateUrl[]): Command {
  return sh`echo @@bosun:state; docker inspect -f '{{json .State}}' ${container} 2>/dev/null || echo '{"Status":"gone"}'
for u in ${urls.map((u) => u.url)}; do echo @@bosun:url; { curl -s --max-time 2 -w '\\n@@%{http_code}' -- "$u" 2>/dev/null || true; } | tail -c 2000; echo; done`;
}

/** Status and health from `docker inspect -f '{{json .State}}'` (pure; "gone" when unreadable). */
export function stateOf(json: string | undefined): { state: string; health: string; exitCode: number } {
  try {
    const st = JSON.parse(json ?? "") as { Status?: string; Health?: { Status?: string }; ExitCode?: number };
    return { state: st.Status ?? "gone", health: st.Health?.Status ?? "", exitCode: st.ExitCode ?? 0 };
  } catch {
    return { state: "gone", health: "", exitCode: 0 };
  }
}

/** Parse the probe's output. */
export function parseProbe(stdout: string): ContainerProbe {
  const s = parseSections(stdout);
  const { state, health } = stateOf(sectionLines(s, "state")[0]);
  const answers: { status: number; body: string }[] = [];
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    if (line === "@@bosun:url") current = [];
    else if (current && /^@@\d{3}$/.test(line)) {
      answers.push({ status: Number(line.slice(2)), body: current.join("\n") });
      current = undefined;
    } else if (current) {
      const m = /^(.*)@@(\d{3})$/.exec(line);
      if (m) {
        current.push(m[1]!);
        answers.push({ status: Number(m[2]), body: current.join("\n") });
        current = undefined;
      } else current.push(line);
    }
  }
  return { state, health, answers };
}

/** Why a probe does not open the gate, or undefined when it does; `final` when waiting longer cannot help. */
export function gateVerdict(probe: ContainerProbe, urls: readonly GateUrl[]): { reason: string; final: boolean } | undefined {
  if (probe.state !== "running") return { reason: `the container is ${probe.state || "gone"}`, final: probe.state !== "created" };
  if (probe.health === "unhealthy") return { reason: "its healthcheck says unhealthy", final: true };
  if (probe.health === "starting") return { reason: "its healthcheck is still starting", final: false };
  for (const [i, u] of urls.entries()) {
    const a = probe.answers[i];
    const want = u.status === undefined ? [200] : typeof u.status === "number" ? [u.status] : u.status;
    if (!a || !want.includes(a.status))
      return { reason: `${u.url} answered ${a?.status || "nothing"}${a?.body ? ` (${a.body.split("\n")[0]})` : ""}`, final: false };
    if (u.body !== undefined && !a.body.includes(u.body)) return { reason: `${u.url} answered without "${u.body}"`, final: false };
  }
  return undefined;
}

/**
 * Gate one container: poll it (state, health, readiness URLs from the host with curl) every half
 * second until it passes or `timeoutSeconds` are over; a container that exits or turns unhealthy
 * fails at once. Read-only, reports ok; an interrupt ends the wait at once. Skipped in check mode.
 * @example gateContainer({ service: "app", release: "v2", container: id, urls: [{ url: "http://172.18.0.5:8080/api/ready" }], timeoutSeconds: 60 })
 */
export const gateContainer = defineTask<GateContainerParams>({
  id: "deploy.gateContainer",
  description: "Wait until a new container runs, is healthy and answers its readiness URLs (asked directly, not through nginx).",
  title: (p) => `readiness ${p.service} (${p.release}) on ${p.container.slice(0, 12)}`,
  schema: params(
    { service: nonEmpty, release: nonEmpty, container: nonEmpty, urls: list(any), timeoutSeconds: { type: "number", exclusiveMinimum: 0 } },
    { interruptible: bool },
  ),
  async check(host, p) {
    if (host.checkMode) return unchanged(`would wait for ${p.service} (${p.release}) to be ready`);
    const signal = p.interruptible === false ? undefined : interruptSignal(host);
    const deadline = Date.now() + p.timeoutSeconds * 1000;
    let attempts = 0;
    for (;;) {
      attempts++;
      const r = await host.exec(probeCommand(p.container, p.urls));
      const verdict = gateVerdict(parseProbe(r.stdout), p.urls);
      if (!verdict) return unchanged(`${p.service} (${p.release}) is ready after ${attempts} probe(s)`);
      if (verdict.final || Date.now() >= deadline) {
        throw host.fail(
          `Cannot get ${p.service} (${p.release}) ready within ${p.timeoutSeconds}s: ${verdict.reason} after ${attempts} probe(s)`,
          `look at \`docker logs ${p.container.slice(0, 12)}\`; raise the gate's timeoutSeconds if it needs longer`,
        );
      }
      await sleepUnlessInterrupted(500, signal);
    }
  },
});

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
