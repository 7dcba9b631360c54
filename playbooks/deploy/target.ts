/**
 * What a deploy puts on a host: the tag given with `--tag`, the previous good release of the
 * host's history (`--rollback`), or exactly the release another inventory's hosts run
 * (`--promote-from`, with its image digests).
 */
import { BosunError } from "../../lib/core/errors.js";
import type { Host } from "../../lib/run/host.js";
import { liveRelease, previousGoodRelease } from "./history.js";
import type { DeployState } from "./preflight.js";
import { readPromotionSource } from "./promotion.js";
import type { Target } from "./rollback.js";
import type { DeploySettings } from "./vars.js";

/** The release this deploy installs on `host`. */
export async function resolveTarget(host: Host, s: DeploySettings, state: DeployState): Promise<Target> {
  if (s.tag !== undefined) return { tag: s.tag, action: "deploy", ...(s.sha ? { sha: s.sha } : {}) };
  if (s.rollback) {
    const prev = previousGoodRelease(state.history);
    if (!prev) {
      const live = liveRelease(state.history);
      throw new BosunError(
        `Cannot roll back: the release history in ${s.appDir} has no successful release other than ${live ? `the live one (${live.tag})` : "none at all"}`,
        { host: host.name, hint: "deploy a known tag with --tag" },
      );
    }
    return { tag: prev.tag, action: "rollback", ...(prev.sha ? { sha: prev.sha } : {}), ...(prev.images ? { images: prev.images } : {}) };
  }
  const source = (await host.run(readPromotionSource({ inventory: s.promoteFrom! }))).output!;
  const sha = s.sha ?? source.sha;
  return {
    tag: source.tag,
    action: "promote",
    from: s.promoteFrom!,
    ...(sha ? { sha } : {}),
    ...(source.images ? { images: source.images } : {}),
  };
}
