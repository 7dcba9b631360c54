/** Step 2 of start beside, gate, switch, drain (swap.ts): the gate asks the NEW container directly. */
import { defineTask, unchanged } from "../../lib/core/task.js";
import { sh, type Command } from "../../lib/core/command.js";
import { params, any, bool, list, nonEmpty } from "../../lib/core/params.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { interruptSignal, sleepUnlessInterrupted } from "./abort.js";

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
