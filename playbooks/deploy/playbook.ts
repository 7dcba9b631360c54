/**
 * Deploy a release of a compose bundle without a failed request: a lock that cannot outlive its
 * holder, a backup, a migrator, images pinned by digest, the services nginx fronts replaced by
 * start beside, gate, switch, drain, every service checked up, and automatic rollback.
 *
 *   tsx playbooks/deploy.ts --inventory cfa2 --tag sha-abc123 [--sha abc123...] [--services api,portals]
 *   tsx playbooks/deploy.ts --inventory cfa2 --rollback
 *   tsx playbooks/deploy.ts --inventory production --promote-from staging
 *
 * Per host (one host at a time; the first failure stops the rest):
 *   preflight → deploy lock (flock held by this SSH session, lock.ts) → docker login (retried) →
 *   deploy.env (REGISTRY_IMAGE, TAG) → compose pull (retried) → digests pinned in
 *   deploy.images.yaml (digests.ts) → pg_dump backup → migrator → fronted services: start beside,
 *   gate, switch, drain (swap.ts, fronted.ts) → compose up for the others → readiness gates →
 *   every service up (services-up.ts) → release history → image prune → lock released.
 * A failure before the switch (pull, backup, migrator, a new container's gate) puts deploy.env and
 * the pin file back: the old release keeps serving and never stopped. A failure after it rolls
 * back to the previous good release (its digests), gaplessly for fronted services. An interrupt
 * (first Ctrl-C or SIGTERM) ends the waits at once and does the same; the lock is released either way.
 *
 * Choices where it matters:
 * - Backup and migrator run only when the release switches (deploy.env or the pinned digests
 *   change, or the history's live tag is another one); `--rollback` (and the automatic rollback)
 *   never runs the migrator: migrations go forward only, the older release must cope with the newer schema.
 * - Re-running a deploy of the live, healthy release changes nothing and appends nothing to the history.
 * - `--rollback` goes to the newest successful release that is not the live one (another tag, or
 *   the same moving tag with other digests), so two rollbacks in a row come back (like `cd -`).
 * - `--check` never takes the lock; when deploy.env would change it reports one "release" line
 *   with the plan, including how each service is replaced.
 * - A deploy that waited for the lock reads the host again under it.
 * Variables: see playbooks/deploy/vars.ts and inventory/cfa2.yml.
 */
import { InterruptedError } from "../../lib/core/errors.js";
import type { Host } from "../../lib/run/host.js";
import { playbook, type PlaybookOption } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import type { Vars } from "../../lib/inventory/types.js";
import { composeRun, composeUp, imagePrune } from "../../lib/tasks/docker/index.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { announce, announceTarget, failureEvent, errorSummary } from "./announce.js";
import { planSteps } from "./plan-steps.js";
import { login, pull } from "./registry.js";
import { resolveTarget } from "./target.js";
import { backupDatabase } from "./backup.js";
import { failureReason } from "./failure.js";
import { liveRelease, recordedDigests, type ReleaseRecord } from "./history.js";
import { pinFileContent, resolveDigests, writePinFile } from "./digests.js";
import { holderEnded, newLockOwner, releaseDeployLock, takeDeployLock } from "./lock.js";
import { connectFirst, replaceFronted } from "./fronted.js";
import { checkServicesUp } from "./services-up.js";
import { deployPreflight } from "./preflight.js";
import { describeFailures, gateReadiness } from "./readiness.js";
import { deployEnvContent, deployEnvTag, releasePlan } from "./release-env.js";
import { abortBeforeSwitch, plainGates, record, rollBack, type Run } from "./rollback.js";
import { DEPLOY_ENV, composeProject, deploySettings, type DeploySettings } from "./vars.js";

/** The deploy playbook's own command-line options (they land in vars under these names). */
export const DEPLOY_OPTIONS: Readonly<Record<string, PlaybookOption>> = {
  tag: { type: "string", description: "Image tag to deploy, e.g. sha-abc123 (unless --rollback or --promote-from)" },
  rollback: { type: "boolean", description: "Redeploy the previous good tag from the host's release history" },
  "promote-from": { type: "string", description: "Deploy exactly the tag live on that inventory's hosts (e.g. staging)" },
  services: { type: "string", description: "Only these services, comma-separated (pull, up, readiness)" },
  sha: { type: "string", description: "Git commit of the release, kept in the release history" },
  "break-lock": { type: "boolean", description: "Break a deploy lock older than lock_stale_minutes (a dead deploy's)" },
};

/** Write the pin file of `images` and use it from now on. */
async function pin(r: Run, images: Readonly<Record<string, string>>): Promise<void> {
  if (!Object.keys(images).length) return;
  const w = await r.host.run(writePinFile({ appDir: r.s.appDir, content: pinFileContent(images, r.target.tag) }));
  r.pinChanged ||= w.changed;
  r.images = images;
  r.project = composeProject(r.s, true);
}

/** The release itself, under the lock (or in check mode, without it). */
async function release(r: Run): Promise<void> {
  const { host, s, state, target } = r;
  const services = r.services ? { services: r.services } : {};
  if (s.registryUser !== undefined) await login(r);
  const env = await host.run(
    ensureFile({
      path: `${s.appDir}/${DEPLOY_ENV}`,
      content: deployEnvContent(s.registryImage, target.tag, s.imageVariables),
      mode: "0644",
      title: `${DEPLOY_ENV}: TAG=${target.tag}`,
    }),
  );
  // Recorded digests (--rollback, --promote-from) are pinned before the pull, which then fetches
  // exactly them; a --tag is pulled by tag and pinned to what the registry gave.
  if (target.images) await pin(r, target.images);
  else r.project = composeProject(s, false);
  const switching = () => env.changed || r.pinChanged || r.previous !== target.tag;
  const migrate = switching() && s.migrator !== undefined && target.action !== "rollback";
  if (host.checkMode && (env.changed || r.pinChanged)) {
    await host.run(releasePlan({ ...(r.previous ? { from: r.previous } : {}), to: target.tag, steps: planSteps(r, migrate) }));
    return;
  }
  const pulled = await pull(r);
  if (pulled.failed) return abortBeforeSwitch(r, `pulling the images failed: ${failureReason(pulled.message)}`);
  if (!target.images) {
    const digests = await host.run(resolveDigests({ ...r.project }));
    await pin(r, digests.output!.images);
  }
  const migrateNow = switching() && s.migrator !== undefined && target.action !== "rollback";
  const project = r.project;
  if (switching() && s.backup) {
    const b = s.backup;
    const dump = await host.run(
      backupDatabase({
        appDir: s.appDir,
        files: project.files,
        envFiles: project.envFiles,
        projectName: s.projectName,
        service: b.service,
        database: b.database,
        user: b.user!,
        tag: target.tag,
        keep: b.keep!,
        ignoreErrors: true,
      }),
    );
    if (dump.failed) return abortBeforeSwitch(r, `the database backup failed: ${failureReason(dump.message)}`);
  }
  if (migrateNow) {
    const m = s.migrator!;
    const run = await host.run(
      composeRun({
        ...project,
        service: m.service,
        ...(m.command ? { command: m.command } : {}),
        ...(m.env ? { env: m.env } : {}),
        ignoreErrors: true,
      }),
    );
    if (run.failed) return abortBeforeSwitch(r, `the migrator failed: ${failureReason(run.message)}`);
  }
  const o = { release: target.tag, interruptible: true, nginx: state.nginx, ...services };
  const gated = await replaceFronted(host, s, project, r.swaps, o);
  if (gated.length) {
    if (r.swaps.length) return rollBack(r, gated);
    r.phase = "preparing";
    return abortBeforeSwitch(r, `${describeFailures(gated)} (its new container was removed: it never served)`);
  }
  r.phase = "switching"; // from here on the release is live, at least in part
  const up = await host.run(composeUp({ ...project, ...services, ignoreErrors: true }));
  if (up.failed) return rollBack(r, [{ service: "compose up", url: "", message: failureReason(up.message) }]);
  const failures = [...(await connectFirst(host, s, project, o)), ...(await gateReadiness(host, plainGates(s, r.services), target.tag))];
  if (failures.length) return rollBack(r, failures);
  const allUp = await host.run(
    checkServicesUp({ ...project, release: target.tag, settleSeconds: s.settleSeconds, timeoutSeconds: 60, ignoreErrors: true }),
  );
  if (allUp.failed) return rollBack(r, [{ service: "services", url: "", message: failureReason(allUp.message) }]);
  r.phase = "done";
  // In check mode a pull of present images is only a "may have new digests": no record for that alone.
  const recorded = switching() || up.changed || r.swaps.length > 0 || (pulled.changed && !host.checkMode);
  if (recorded) await record(r, "success");
  if (state.taggedRepositories.length) {
    // Every recorded release keeps its images: by digest where pinned, by tag for the rest (a migrator).
    const recordedTags = state.history.filter((h) => h.result === "success").map((h) => h.tag);
    const keepTags = [...new Set([target.tag, ...(r.previous ? [r.previous] : []), ...recordedTags])];
    const history =
      recorded && r.images ? [...state.history, { tag: target.tag, result: "success" as const, images: r.images }] : state.history;
    const keepDigests = [...new Set([...recordedDigests(history as ReleaseRecord[]), ...Object.values(r.images ?? {})])];
    await host.run(imagePrune({ repositories: state.taggedRepositories, keep: s.keepImages, keepTags, keepDigests }));
  }
}

/**
 * After an interrupt: before the switch, deploy.env goes back and nothing else changed; once it
 * began, the host rolls back to the last good release. Run shielded (tasks may start); throws
 * what the user should read.
 */
function recover(r: Run): Promise<never> {
  if (r.phase === "switching" || r.swaps.length) return rollBack(r, [], "interrupted");
  return abortBeforeSwitch(r, "interrupted");
}

/** Preflight and the release to deploy: what the host runs now and what it will run. */
async function prepare(host: Host, s: DeploySettings, title?: string): Promise<Run> {
  const probe = {
    appDir: s.appDir,
    files: s.composeFiles,
    envFiles: s.envFiles,
    projectName: s.projectName,
    registryImage: s.registryImage,
    upstreamServices: s.upstreams.map((u) => u.service),
  };
  const state = (await host.run(deployPreflight({ ...probe, ...(title ? { title } : {}) }))).output!;
  const target = await resolveTarget(host, s, state);
  const previous = liveRelease(state.history)?.tag ?? deployEnvTag(state.deployEnv);
  return {
    host,
    s,
    state,
    target,
    project: composeProject(s, state.pinFile !== undefined),
    pinChanged: false,
    ...(previous ? { previous } : {}),
    ...(s.services ? { services: [...s.services] } : {}),
    swaps: [],
    phase: "preparing",
  };
}

/** One host's deploy: preflight, target, lock, release, unlock (the lock is released whatever happens). */
export async function deployHost(host: Host, vars: Vars): Promise<void> {
  const s = deploySettings(vars, host.name);
  const announceTo = announceTarget(vars, host.name);
  const started = Date.now();
  let r = await prepare(host, s);
  if (host.checkMode) return release(r); // a check never takes the lock
  const owner = newLockOwner(s.deployer, r.target.tag);
  const lock = await host.run(
    takeDeployLock({ appDir: s.appDir, owner, waitSeconds: s.lockWait, breakStale: s.breakLock, staleMinutes: s.lockStaleMinutes }),
  );
  const about = () => ({ tag: r.target.tag, host: host.name, who: s.deployer, durationMs: Date.now() - started });
  await announce(host, announceTo, { ...about(), event: "start" });
  let failure: unknown;
  try {
    // The deploy this one waited for changed the host (deploy.env, history): read it again under the lock.
    if (lock.output?.waitedSeconds || lock.output?.broken) r = await prepare(host, s, `preflight ${s.appDir} (again, under the lock)`);
    await release(r);
  } catch (error) {
    failure = error;
    const run = r;
    if (error instanceof InterruptedError && run.phase !== "done" && !host.checkMode) {
      await host.shielded(() => recover(run)).catch((e: unknown) => void (failure = e));
    }
  }
  try {
    await host.shielded(() => host.run(releaseDeployLock({ appDir: s.appDir, token: owner.token })));
    await holderEnded(owner.token);
  } catch (error) {
    failure ??= error;
  }
  const outcome =
    failure === undefined
      ? { ...about(), event: "success" as const, ...(r.images ? { digests: r.images } : {}) }
      : { ...about(), event: failureEvent(failure), reason: errorSummary(failure) };
  await host.shielded(() => announce(host, announceTo, outcome)).catch(() => undefined);
  if (failure !== undefined) throw failure;
}

/** The deploy playbook: runnable (`tsx playbooks/deploy.ts --inventory cfa2 --tag sha-abc123`) and importable. */
export const deploy = playbook({
  name: "deploy",
  hosts: "all",
  serial: 1,
  maxFailPercentage: 0,
  options: DEPLOY_OPTIONS,
  run: deployHost,
});

main(import.meta, deploy);
