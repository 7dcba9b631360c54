/**
 * Set-up shared by the docker e2e tests, done with plain commands (never with bosun's tasks):
 * the lab services, a runner on the lab's first host, compose v2 from the lab's .deb, a login.
 */
import { servicesUp, type LabServices } from "../../../lib/lab/services/index.js";
import type { LabInfo } from "../../../lib/lab/index.js";
import { labTarget, TaskRunner, type LabTarget } from "../../e2e/task-harness.js";

/** A lab host ready for docker tests. */
export interface DockerLabHost {
  readonly services: LabServices;
  readonly target: LabTarget;
  readonly runner: TaskRunner;
  /** Run a plain command as root; stdout and stderr together. */
  sh(command: string): string;
  /** Run a plain set-up command as root; throws with its output when it fails. */
  must(command: string, input?: string): string;
}

/** Options of {@link dockerLabHost}. */
export interface DockerLabOptions {
  /** Install compose v2 from the lab's .deb with dpkg. */
  readonly compose?: boolean;
  /** `docker login` to the lab registry (password on stdin). */
  readonly login?: boolean;
}

/** The lab services and the first host of `info`, set up as asked. */
export async function dockerLabHost(info: LabInfo, options: DockerLabOptions = {}): Promise<DockerLabHost> {
  const services = await servicesUp();
  const host = info.hosts[0]!;
  const target = labTarget(info);
  const runner = new TaskRunner(target);
  const sh = (command: string): string => {
    const r = runner.sh(command);
    return `${r.stdout}${r.stderr}`;
  };
  const must = (command: string, input?: string): string => {
    const r = runner.sh(command, input);
    if (r.code !== 0) throw new Error(`Cannot set up ${host.name}: \`${command.slice(0, 200)}\` exited ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  if (options.compose)
    must(
      `curl -fsSL -o /tmp/compose.deb ${services.composePlugin.url} && dpkg -i /tmp/compose.deb >/dev/null && docker compose version --short`,
    );
  if (options.login)
    must(`docker login -u ${services.registry.username} --password-stdin ${services.registry.address}`, services.registry.password);
  return { services, target, runner, sh, must };
}
