/** imagePrune: keep the last N tags of some repositories (and every image in use); remove the rest. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, required, optional, typed, intIn, list, nonEmpty, type Static } from "../../core/params.js";
import { planPrune, repositoryImages, type PrunePlan } from "../../facts/docker-images.js";

/** Parameters for {@link imagePrune}. */
export const imagePruneParams = taskParams({
  repositories: required(
    typed<readonly string[]>({ ...list({ ...nonEmpty, pattern: "^[a-z0-9][^:@\\s]*(:[0-9]+/[^:@\\s]+)?$" }), minItems: 1 }),
    "Repositories to prune, without tag, e.g. `registry.example.com/cfa/api`.",
  ),
  keep: required(intIn({ minimum: 0 }), "How many of the newest tags (by image creation time) to keep per repository."),
  keepTags: optional(list(nonEmpty), "Tags always kept, e.g. the releases a deploy history names."),
  keepDigests: optional(
    list(nonEmpty),
    "Digest references always kept (`repo@sha256:...`, e.g. recorded releases); given, untagged images of the repositories are pruned too.",
  ),
});
/** Parameters for {@link imagePrune}. */
export type ImagePruneParams = Static<typeof imagePruneParams>;

/** Output of {@link imagePrune}: references kept and removed (in check mode: that would be removed). */
export type ImagePruneOutput = PrunePlan;

/**
 * Remove old tags of the given repositories: keep the `keep` newest tags, the tags of images any
 * container (running or stopped) was created from, `keepTags` and the images of `keepDigests`;
 * `docker rmi` the others (an image also goes when its last tag does). With `keepDigests`, the
 * untagged images of the repositories (a moving tag re-pushed leaves them) go too unless in use
 * or kept; other repositories are left alone. One command to read, one to remove; check mode
 * lists what would go.
 * @example imagePrune({ repositories: ["registry.example.com/cfa/api", "registry.example.com/cfa/identity"], keep: 3 })
 */
export const imagePrune = defineTask<ImagePruneParams, ImagePruneOutput>({
  id: "docker.imagePrune",
  description: "Keep the last N tags of some repositories and every image in use; remove their other tags.",
  title: (p) => `prune images of ${p.repositories.join(", ")} (keep ${p.keep})`,
  schema: imagePruneParams,
  async check(host, p) {
    let plan: PrunePlan;
    try {
      plan = planPrune(await host.fact(repositoryImages, p.repositories), p.repositories, p);
    } catch (error) {
      throw host.fail(`Cannot prune images: ${(error as Error).message}`);
    }
    if (!plan.removed.length) return unchanged(`nothing to prune (${plan.kept.length} tag(s) kept)`, plan);
    return changed([sh`docker rmi -- ${[...plan.removed]}`], {
      output: plan,
      // checkMode: wording only ("would remove" under --check); the plan is the same.
      message: `${host.checkMode ? "would remove" : "removed"} ${plan.removed.join(", ")}`,
      diff: { label: "images", before: [...plan.kept, ...plan.removed], after: plan.kept },
    });
  },
});
