/** The registry's part of a deploy: login and pull, each retried with backoff and jitter (`registry_retries`). */
import { BosunError } from "../../lib/core/errors.js";
import type { TaskResult } from "../../lib/core/task.js";
import { composePull, dockerLogin } from "../../lib/tasks/docker/index.js";
import type { ComposePullOutput } from "../../lib/tasks/docker/compose-pull.js";
import { describeRetry, interruptSignal, withRetries } from "./abort.js";
import { failureReason } from "./failure.js";
import type { Run } from "./rollback.js";

/** docker login, retried with backoff and jitter (`registry_retries`), each attempt logged under -v. */
export async function login(r: Run): Promise<void> {
  const { host, s } = r;
  const outcome = await withRetries(
    async () => {
      const t = await host.run(
        dockerLogin({ registry: s.registry, username: s.registryUser!, password: s.registryPassword!, ignoreErrors: true }),
      );
      return { ok: !t.failed, reason: t.message ?? "failed" };
    },
    s.registryRetries,
    { signal: interruptSignal(host), onRetry: (e) => host.log(describeRetry(`docker login ${s.registry}`, e)) },
  );
  if (!outcome.ok) {
    throw new BosunError(`Cannot log in to ${s.registry}: ${failureReason(outcome.reason)} (${s.registryRetries.attempts} attempt(s))`, {
      host: host.name,
      hint: "check registry_user and registry_password, and that the registry is reachable from the host",
    });
  }
}

/** compose pull, retried with backoff and jitter (`registry_retries`), each attempt logged under -v. */
export async function pull(r: Run): Promise<TaskResult<ComposePullOutput>> {
  const { host, s, project } = r;
  let last: TaskResult<ComposePullOutput> | undefined;
  await withRetries(
    async () => {
      last = await host.run(composePull({ ...project, ...(r.services ? { services: r.services } : {}), ignoreErrors: true }));
      return { ok: !last.failed, reason: last.message ?? "failed" };
    },
    s.registryRetries,
    { signal: interruptSignal(host), onRetry: (e) => host.log(describeRetry("compose pull", e)) },
  );
  return last!;
}
