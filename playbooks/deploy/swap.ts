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
import { params, absPath, int, list, nonEmpty } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { composeCommand, type ComposeProjectParams } from "../../lib/tasks/docker/compose-project.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";

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

export * from "./gate-container.js";
export * from "./retire-container.js";
