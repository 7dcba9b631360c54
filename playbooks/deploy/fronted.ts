/**
 * The fronted services of a release (the `upstreams` variable): each one replaced by start beside,
 * gate, switch, drain (swap.ts), and what a rollback needs to undo it. A deploy keeps a
 * {@link SwapLog} of what it switched, so that a rollback can switch back to an old container that
 * still runs (during its drain) instead of starting the old release again.
 */
import type { Host } from "../../lib/run/host.js";
import { sh } from "../../lib/core/command.js";
import { failureReason } from "./failure.js";
import type { GateFailure } from "./readiness.js";
import {
  gateContainer,
  refuseNewConnections,
  removeContainers,
  startBeside,
  switchUpstream,
  upstreamFile,
  urlAt,
  type GateUrl,
  type ServiceContainer,
} from "./swap.js";
import { DEPLOY_DEFAULTS, type DeploySettings, type UpstreamSettings } from "./vars.js";
import { sleepUnlessInterrupted } from "./abort.js";

/** What the deploy switched so far, per fronted service (in order). */
export interface SwapRecord {
  readonly upstream: UpstreamSettings;
  /** The containers that ran before (the one nginx sent to is `from`). */
  readonly old: readonly ServiceContainer[];
  /** The address nginx sent to before the switch. */
  readonly from: string;
  /** The container of the new release. */
  readonly started: ServiceContainer;
  /** `loaded`: the new one is the upstream's backup; `flipped`: new connections to `from` are refused (the new one serves); `final`: the upstream names the new one only. */
  stage: "loaded" | "flipped" | "final";
  /** Whether the old containers are gone (stopped and removed after their drain). */
  oldRemoved: boolean;
}

/** The swaps of one deploy. */
export type SwapLog = SwapRecord[];

/** The address the upstream file names first (its primary server), if any. */
async function upstreamPrimary(host: Host, name: string): Promise<string | undefined> {
  const r = await host.exec(sh`cat -- ${upstreamFile(name)} 2>/dev/null || true`, { sudo: true });
  return /^\s*server (\d+\.\d+\.\d+\.\d+:\d+)[ ;]/m.exec(r.stdout)?.[1];
}

/** Remove the refusals a deploy that died left for this upstream (an address may belong to a new container now). */
async function clearRefusals(host: Host, upstream: string): Promise<void> {
  await host.exec(
    sh`iptables -S OUTPUT 2>/dev/null | grep -F -- ${`--comment bosun:${upstream} `} | sed 's/^-A /-D /' | while read -r rule; do eval "iptables $rule"; done; true`,
    { sudo: true },
  );
}

function drain(host: Host, what: string, seconds: number, signal: AbortSignal | undefined): Promise<void> {
  host.log(`draining ${what} for ${seconds}s`);
  return sleepUnlessInterrupted(seconds * 1000, signal);
}

/** Options of {@link replaceFronted}. */
export interface ReplaceOptions {
  /** The release (for titles). */
  readonly release: string;
  /** Services (`--services`), all when undefined. */
  readonly services?: readonly string[];
  /** An interrupt ends the waits (false while rolling back). */
  readonly interruptible: boolean;
  /** nginx is installed on the host. */
  readonly nginx: boolean;
}

/** The readiness URLs of a service, pointed at one container. */
export function gateUrls(s: DeploySettings, service: string, address: string): GateUrl[] {
  return s.readiness
    .filter((g) => g.service === service)
    .map((g) => ({
      url: urlAt(g.url, address),
      ...(g.status === undefined ? {} : { status: g.status }),
      ...(g.body === undefined ? {} : { body: g.body }),
    }));
}

/** The longest gate timeout of a service (the default when it has none). */
export function gateTimeout(s: DeploySettings, service: string): number {
  const t = s.readiness.filter((g) => g.service === service).map((g) => g.timeoutSeconds ?? DEPLOY_DEFAULTS.readinessTimeoutSeconds);
  return t.length ? Math.max(...t) : DEPLOY_DEFAULTS.readinessTimeoutSeconds;
}

type Project = { projectDir: string; files: string[]; envFiles: string[]; projectName: string };

/**
 * Replace each fronted service that runs an older release: start beside, gate, switch, drain,
 * stop. Returns the gate failures (a failed new container is removed first: it never served);
 * services that run nothing yet are left to `compose up` and {@link connectFirst}.
 */
export async function replaceFronted(
  host: Host,
  s: DeploySettings,
  project: Project,
  log: SwapLog,
  o: ReplaceOptions,
): Promise<GateFailure[]> {
  for (const u of s.upstreams.filter((x) => !o.services || o.services.includes(x.service))) {
    if (!o.nginx) continue; // without nginx nothing fronts it: compose up replaces it (stop-start)
    await clearRefusals(host, u.upstream);
    const start = await host.run(startBeside({ ...project, service: u.service, port: u.port, ignoreErrors: true }));
    if (start.failed) return [{ service: u.service, url: "", message: failureReason(start.message) }];
    const out = start.output!;
    if (out.outcome !== "started" || !out.started) continue;
    const started = out.started;
    const gate = await host
      .run(
        gateContainer({
          service: u.service,
          release: o.release,
          container: started.id,
          urls: gateUrls(s, u.service, started.address),
          timeoutSeconds: gateTimeout(s, u.service),
          interruptible: o.interruptible,
          ignoreErrors: true,
        }),
      )
      .catch(async (error: unknown) => {
        await host.shielded(() =>
          host.run(removeContainers({ what: `${u.service} ${o.release} (interrupted before it served)`, ids: [started.id] })),
        );
        throw error;
      });
    if (gate.failed) {
      await host.run(removeContainers({ what: `${u.service} ${o.release} (failed its gate, never served)`, ids: [started.id] }));
      return [{ service: u.service, url: started.address, message: failureReason(gate.message) }];
    }
    const name = u.upstream;
    const note = `${u.service} ${o.release}`;
    const primary = await upstreamPrimary(host, name);
    const from = out.old.find((c) => c.address === primary)?.address;
    const drainSeconds = u.drainSeconds ?? s.drainSeconds;
    if (!from) {
      // nginx sends to none of the old containers (a placeholder, an address from before): point it at the new one.
      await host.run(switchUpstream({ name, address: started.address, note, sudo: true }));
    } else {
      const record: SwapRecord = { upstream: u, old: out.old, from, started, stage: "loaded", oldRemoved: false };
      log.push(record);
      // 1. the new container as the backup: both nginx generations still send to the old one (no visible change)
      await host.run(
        switchUpstream({ name, address: from, backup: started.address, note: `${note} (backup, about to switch)`, sudo: true }),
      );
      // 2. the switch: new connections to the old one are refused, so every worker sends to the backup at once
      await host.run(refuseNewConnections({ address: from, state: "present", upstream: name, sudo: true }));
      record.stage = "flipped";
      // 3. the drain: requests in flight on the old container finish
      await drain(host, `${u.service} (the release before ${o.release})`, drainSeconds, o.interruptible ? host.signal : undefined);
      // 4. the upstream names the new one only (a reload nobody sees: the old one refuses anyway)
      await host.run(switchUpstream({ name, address: started.address, note, sudo: true }));
      record.stage = "final";
    }
    await host.run(removeContainers({ what: `${u.service} (the release before ${o.release})`, ids: out.old.map((c) => c.id) }));
    if (from) await host.run(refuseNewConnections({ address: from, state: "absent", upstream: name, sudo: true }));
    const last = log[log.length - 1];
    if (last?.started === started) last.oldRemoved = true;
  }
  return [];
}

/**
 * After `compose up` started a fronted service for the first time: gate its container and point
 * the upstream at it (without nginx: gate only). Returns the gate failures.
 */
export async function connectFirst(host: Host, s: DeploySettings, project: Project, o: ReplaceOptions): Promise<GateFailure[]> {
  const failures: GateFailure[] = [];
  for (const u of s.upstreams.filter((x) => !o.services || o.services.includes(x.service))) {
    const c = sh`cd -- ${project.projectDir} && docker compose -p ${project.projectName} ${project.files.flatMap((f) => ["-f", f])} ${project.envFiles.flatMap((e) => ["--env-file", e])}`;
    const r = await host.exec(
      sh`for id in $(${c} ps -q ${u.service}); do echo "$id $(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id")"; done`,
    );
    const [line] = r.stdout.split("\n").filter(Boolean);
    const [id = "", ...ips] = (line ?? "").split(" ");
    const ip = ips.find((x) => /^\d+\.\d+\.\d+\.\d+$/.test(x));
    if (!id || !ip) {
      failures.push({ service: u.service, url: "", message: "no running container" });
      continue;
    }
    const address = `${ip}:${u.port}`;
    const current = await host.exec(sh`cat -- ${`/etc/nginx/conf.d/bosun-upstream-${u.upstream}.conf`} 2>/dev/null || true`, {
      sudo: true,
    });
    if (current.stdout.includes(`server ${address} `) || current.stdout.includes(`server ${address};`)) continue; // already gated and switched by an earlier deploy
    const gate = await host.run(
      gateContainer({
        service: u.service,
        release: o.release,
        container: id,
        urls: gateUrls(s, u.service, address),
        timeoutSeconds: gateTimeout(s, u.service),
        interruptible: o.interruptible,
        ignoreErrors: true,
      }),
    );
    if (gate.failed) {
      failures.push({ service: u.service, url: address, message: failureReason(gate.message) });
      continue;
    }
    if (o.nginx) await host.run(switchUpstream({ name: u.upstream, address, note: `${u.service} ${o.release}`, sudo: true }));
  }
  return failures;
}

/**
 * Undo the swaps of a deploy whose old containers still run (an interrupt or failure during a
 * drain): new connections go back to the old container (the same two-step switch, backwards),
 * the new one drains and is removed. Waits are not interruptible here (we are undoing an
 * interrupt; a second Ctrl-C still stops the process). Returns the services it could not undo
 * this way (their old containers are gone): a rollback replaces them.
 */
export async function switchBack(host: Host, s: DeploySettings, log: SwapLog): Promise<string[]> {
  const left: string[] = [];
  for (const rec of [...log].reverse()) {
    if (rec.oldRemoved) {
      left.push(rec.upstream.service);
      continue;
    }
    const name = rec.upstream.upstream;
    const note = `${rec.upstream.service} (switched back)`;
    const seconds = rec.upstream.drainSeconds ?? s.drainSeconds;
    const refuse = (address: string, state: "present" | "absent") =>
      host.run(refuseNewConnections({ address, state, upstream: name, sudo: true }));
    if (rec.stage === "final") {
      // The upstream names the new one only: make the old one its backup again, then switch as forwards.
      await refuse(rec.from, "absent");
      await host.run(switchUpstream({ name, address: rec.started.address, backup: rec.from, note, sudo: true }));
      await refuse(rec.started.address, "present");
    } else if (rec.stage === "flipped") {
      // New connections go to the old one again, at once (it is the primary; the new one only its backup).
      await refuse(rec.from, "absent");
    }
    if (rec.stage !== "loaded") await drain(host, `${rec.upstream.service} (the release switched back from)`, seconds, undefined);
    await host.run(switchUpstream({ name, address: rec.from, note, sudo: true }));
    await host.run(removeContainers({ what: `${rec.upstream.service} (the release switched back from)`, ids: [rec.started.id] }));
    await refuse(rec.started.address, "absent");
  }
  return left;
}

/** The plan lines of the fronted and the other services, for check mode. */
export function frontedPlan(s: DeploySettings, services: readonly string[] | undefined, nginx: boolean): string[] {
  const fronted = s.upstreams.filter((u) => !services || services.includes(u.service));
  if (!fronted.length) return [];
  if (!nginx) return [`stop-start ${fronted.map((u) => u.service).join(", ")} (nginx is not installed: nothing fronts them)`];
  return fronted.map(
    (u) =>
      `start ${u.service} beside the running one, gate it, switch nginx upstream ${u.upstream}, drain ${u.drainSeconds ?? s.drainSeconds}s, stop the old one`,
  );
}
