/** What one host's deploy works with, and how a failed deploy is recorded and undone. */
import { BosunError } from "../../lib/core/errors.js";
import type { Host } from "../../lib/run/host.js";
import { connectFirst, replaceFronted, switchBack, type SwapLog } from "./fronted.js";
import { checkServicesUp } from "./services-up.js";
import type { TaskResult } from "../../lib/core/task.js";
import { composeUp } from "../../lib/tasks/docker/index.js";
import { ensureAbsent, ensureFile } from "../../lib/tasks/files/index.js";
import { failureReason } from "./failure.js";
import { liveRelease, recordRelease, type ReleaseRecord } from "./history.js";
import { pinFileContent } from "./digests.js";
import type { DeployState } from "./preflight.js";
import { describeFailures, gateReadiness, type GateFailure } from "./readiness.js";
import { deployEnvFor, deployEnvTag } from "./release-env.js";
import { DEPLOY_ENV, PIN_FILE, composeProject, gatesFor, type DeploySettings } from "./vars.js";

/** The readiness gates of services that nginx does not front (the fronted ones are gated on their new container). */
export function plainGates(s: DeploySettings, services: readonly string[] | undefined) {
  const fronted = new Set(s.upstreams.map((u) => u.service));
  return gatesFor(s, services).filter((g) => !fronted.has(g.service));
}

/** The release a run deploys and why. */
export interface Target {
  readonly tag: string;
  readonly action: ReleaseRecord["action"];
  readonly sha?: string;
  readonly from?: string;
  /** The recorded digests to deploy (`--rollback`, `--promote-from`); a fresh `--tag` resolves them after the pull. */
  readonly images?: Readonly<Record<string, string>>;
}

/** What one host's deploy works with. */
export interface Run {
  readonly host: Host;
  readonly s: DeploySettings;
  readonly state: DeployState;
  readonly target: Target;
  /** The live tag before this deploy (history, else deploy.env). */
  readonly previous?: string;
  /** The compose project as the next compose command sees it (with the pin file once it is written). */
  project: ReturnType<typeof composeProject>;
  /** The release's digests, once pinned. */
  images?: Readonly<Record<string, string>>;
  /** The pin file changed (a moving tag moved): a release switch even with the same tag. */
  pinChanged: boolean;
  readonly services?: string[];
  /** What this deploy switched so far (fronted services). */
  readonly swaps: SwapLog;
  /** How far the deploy got: after `switching`, a failure or interrupt rolls back; before it, deploy.env goes back. */
  phase: "preparing" | "switching" | "done";
}

/** Append this deploy to the host's release history. */
export function record(r: Run, result: ReleaseRecord["result"], extra: Partial<ReleaseRecord> = {}): Promise<TaskResult> {
  const { target, s } = r;
  const rec: ReleaseRecord = {
    time: new Date().toISOString(),
    tag: target.tag,
    result,
    action: target.action,
    who: s.deployer,
    ...(target.sha ? { sha: target.sha } : {}),
    ...(r.previous ? { previous: r.previous } : {}),
    ...(r.services ? { services: r.services } : {}),
    ...(target.from ? { from: target.from } : {}),
    ...((r.images ?? target.images) ? { images: r.images ?? target.images } : {}),
    ...extra,
  };
  return r.host.run(recordRelease({ appDir: s.appDir, record: rec, keep: s.historyKeep }));
}

/**
 * Put deploy.env and the pin file back: to the live release of the history (a deploy killed
 * earlier may have left another release's files behind), else as they were before this deploy.
 */
export async function restoreDeployEnv(r: Run): Promise<void> {
  const path = `${r.s.appDir}/${DEPLOY_ENV}`;
  const live = liveRelease(r.state.history);
  if (live)
    await r.host.run(
      ensureFile({
        path,
        content: deployEnvFor(live.tag, r.s.registryImage, r.state.deployEnv, r.s.imageVariables),
        title: `${DEPLOY_ENV}: back to TAG=${live.tag}`,
      }),
    );
  else if (r.state.deployEnv === undefined) await r.host.run(ensureAbsent({ path, title: `${DEPLOY_ENV}: back to absent` }));
  else
    await r.host.run(
      ensureFile({ path, content: r.state.deployEnv, title: `${DEPLOY_ENV}: back to TAG=${deployEnvTag(r.state.deployEnv) ?? "?"}` }),
    );
  await restorePinFile(r);
}

/** Put the pin file back (the live release's digests), and point the compose project at it again. */
async function restorePinFile(r: Run): Promise<void> {
  const path = `${r.s.appDir}/${PIN_FILE}`;
  const live = liveRelease(r.state.history);
  if (live?.images && Object.keys(live.images).length) {
    await r.host.run(
      ensureFile({
        path,
        content: pinFileContent(live.images, live.tag),
        mode: "0644",
        title: `${PIN_FILE}: back to ${live.tag}'s digests`,
      }),
    );
    r.project = composeProject(r.s, true);
    return;
  }
  if (r.state.pinFile === undefined) await r.host.run(ensureAbsent({ path, title: `${PIN_FILE}: back to absent` }));
  else await r.host.run(ensureFile({ path, content: r.state.pinFile, mode: "0644", title: `${PIN_FILE}: back to the live digests` }));
  r.project = composeProject(r.s, r.state.pinFile !== undefined);
}

/** A failure before anything switched: deploy.env back, failure recorded, the old release keeps serving. */
export async function abortBeforeSwitch(r: Run, reason: string): Promise<never> {
  await restoreDeployEnv(r);
  await record(r, "failed", { reason });
  const serving = r.previous ? `; ${r.previous} keeps serving` : "";
  throw new BosunError(`Cannot deploy ${r.target.tag}: ${reason}. Nothing switched: ${DEPLOY_ENV} is back as it was${serving}`, {
    host: r.host.name,
    hint: "fix the cause above and deploy again; the failure is in .bosun/releases.jsonl",
  });
}

/**
 * A failure or interrupt after the switch began: back to the previous good tag. Fronted services
 * whose old container still runs switch back to it; the others are replaced again (start beside,
 * gate, switch, drain); the rest by `compose up`; then readiness and every service up. Waits are
 * not interruptible here (an interrupt is what may have brought us here). Always throws.
 */
export async function rollBack(r: Run, failures: readonly GateFailure[], why?: string): Promise<never> {
  const { host, s, target } = r;
  const reason = why ?? describeFailures(failures);
  const back = r.previous !== undefined && (r.previous !== target.tag || r.pinChanged) ? r.previous : undefined;
  if (!back) {
    await switchBack(host, s, r.swaps);
    await record(r, "failed", { reason });
    throw new BosunError(`Cannot deploy ${target.tag}: ${reason}. No previous release to roll back to`, {
      host: host.name,
      hint: `look at \`docker compose logs\` in ${s.appDir}; fix the release and deploy a new tag`,
    });
  }
  await host.run(
    ensureFile({
      path: `${s.appDir}/${DEPLOY_ENV}`,
      content: deployEnvFor(back, s.registryImage, r.state.deployEnv, s.imageVariables),
      title: `${DEPLOY_ENV}: back to TAG=${back}`,
    }),
  );
  await restorePinFile(r);
  await switchBack(host, s, r.swaps);
  const o = { release: back, interruptible: false, nginx: r.state.nginx, ...(r.services ? { services: r.services } : {}) };
  let again: GateFailure[] = await replaceFronted(host, s, r.project, [], o);
  if (!again.length) {
    const up = await host.run(
      composeUp({
        ...r.project,
        ...(r.services ? { services: r.services } : {}),
        ignoreErrors: true,
        title: `compose up ${s.projectName} (rollback to ${back})`,
      }),
    );
    again = up.failed
      ? [{ service: "compose up", url: "", message: failureReason(up.message) }]
      : [...(await connectFirst(host, s, r.project, o)), ...(await gateReadiness(host, plainGates(s, r.services), back))];
  }
  if (!again.length) {
    const upAll = await host.run(
      checkServicesUp({
        ...r.project,
        release: back,
        settleSeconds: s.settleSeconds,
        timeoutSeconds: 60,
        interruptible: false,
        ignoreErrors: true,
      }),
    );
    if (upAll.failed) again = [{ service: "services", url: "", message: failureReason(upAll.message) }];
  }
  await record(r, "failed", { reason, rolledBackTo: back, rollbackResult: again.length ? "failed" : "success" });
  const after = again.length ? `it is NOT ready either: ${describeFailures(again)}` : "it is ready again";
  throw new BosunError(`Cannot deploy ${target.tag}: ${reason}. Rolled back to ${back}: ${after}`, {
    host: host.name,
    hint: `look at \`docker compose logs\` in ${s.appDir} for ${target.tag}; the failure is in .bosun/releases.jsonl`,
  });
}
