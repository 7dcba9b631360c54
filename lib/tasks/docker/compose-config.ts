/** composeConfig: the compose bundle (files, env files, interpolation) is valid. Read-only. */
import { defineTask, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { composeProjectParams, inProject, projectLabel, tail, type ComposeProjectParams } from "./compose-project.js";

/** Parameters for {@link composeConfig}. */
export type ComposeConfigParams = ComposeProjectParams;

/**
 * Validate a compose bundle with `docker compose ... config -q`: ok when it is valid, failed with
 * compose's message when not. It only reads, so it also runs in check mode. One command.
 * @example composeConfig({ projectDir: "/srv/cfa", files: ["compose.yaml", "compose.prod.yaml"], envFiles: [".env", "deploy.env"], projectName: "cfa" })
 */
export const composeConfig = defineTask<ComposeConfigParams>({
  id: "docker.composeConfig",
  description: "Validate a compose bundle (`docker compose config -q`); read-only, runs in check mode too.",
  title: (p) => `compose config ${projectLabel(p)}`,
  schema: composeProjectParams,
  async check(host, p) {
    const r = await host.exec(inProject(p, sh`config -q`));
    if (r.code !== 0) {
      throw host.fail(
        `Cannot validate compose project ${projectLabel(p)}: ${tail(r.stderr || r.stdout) || `exit ${r.code}`}`,
        "fix the compose files or env files named above",
      );
    }
    return unchanged(`compose project ${projectLabel(p)} is valid`);
  },
});
