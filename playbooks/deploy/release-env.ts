/**
 * deploy.env, the only file a deploy writes into the bundle: `REGISTRY_IMAGE` and `TAG`, read by
 * compose after the long-lived `.env`. And the check-mode summary of a release that would switch.
 */
import { defineTask, changed, skipped } from "../../lib/core/task.js";
import { params, list, nonEmpty } from "../../lib/core/params.js";
import { parseEnvFile } from "./preflight.js";

/** The content of deploy.env for a release (no timestamp: the same release gives the same file). */
export function deployEnvContent(registryImage: string, tag: string, imageVariables: Readonly<Record<string, string>> = {}): string {
  const full = Object.keys(imageVariables)
    .sort()
    .map((name) => `${name}=${imageVariables[name]}:${tag}\n`)
    .join("");
  return `# Written by bosun (playbooks/deploy.ts) at every release: do not edit. Settings and secrets live in .env.\nREGISTRY_IMAGE=${registryImage}\nTAG=${tag}\n${full}`;
}

/** The TAG a deploy.env text names, if any. */
export function deployEnvTag(text: string | undefined): string | undefined {
  return parseEnvFile(text).TAG || undefined;
}

/**
 * The deploy.env that puts `tag` back: the previous file itself when it named that tag (so the
 * restore is exact), else a fresh one for it.
 */
export function deployEnvFor(
  tag: string,
  registryImage: string,
  previousText: string | undefined,
  imageVariables: Readonly<Record<string, string>> = {},
): string {
  return previousText !== undefined && deployEnvTag(previousText) === tag
    ? previousText
    : deployEnvContent(registryImage, tag, imageVariables);
}

/** Parameters for {@link releasePlan}. */
export interface ReleasePlanParams {
  /** The live tag, if any. */
  readonly from?: string;
  /** The tag that would go live. */
  readonly to: string;
  /** What would happen, in order. */
  readonly steps: readonly string[];
}

/**
 * Check mode only: the steps a release switch would take. When deploy.env would change, compose
 * cannot plan against the new tag without writing it, so this one line stands for pull, backup,
 * migrator, up and readiness. Outside check mode it is skipped.
 * @example await host.run(releasePlan({ from: "sha-old", to: "sha-new", steps: ["pull", "compose up", "readiness"] }))
 */
export const releasePlan = defineTask<ReleasePlanParams>({
  id: "deploy.releasePlan",
  description: "Check mode: what a release switch would do (pull, backup, migrator, up, readiness, history).",
  title: (p) => `release ${p.from ?? "(none)"} -> ${p.to}`,
  schema: params({ to: nonEmpty, steps: list(nonEmpty) }, { from: nonEmpty }),
  async check(host, p) {
    if (!host.checkMode) return skipped("reported in check mode only");
    return changed([], { message: `would ${p.steps.join(", then ")}` });
  },
});
