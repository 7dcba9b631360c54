/** composePull: pull a compose project's images; changed only when a local image id changed. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, optional, list, oneOf, type Static } from "../../core/params.js";
import type { ExecResult } from "../../core/connection.js";
import { changedImages, composeImages, imageIdsScript, parseImageIds } from "../../facts/docker-compose.js";
import { parseSections, script, section, sectionLines } from "../../facts/docker-sections.js";
import { composeCommand, composeProjectProperties, projectLabel, serviceName } from "./compose-project.js";

/** Parameters for {@link composePull}. */
export const composePullParams = taskParams({
  ...composeProjectProperties,
  services: optional(list(serviceName), "Only these services (all when omitted)."),
  policy: optional(oneOf("always", "missing"), {
    description: "`always`: pull every image, moving tags included; `missing`: only images not on the host.",
    default: "always",
  }),
});
/** Parameters for {@link composePull}. */
export type ComposePullParams = Static<typeof composePullParams>;

/** Output of {@link composePull}. */
export interface ComposePullOutput {
  /** Images whose local id changed (new or updated), e.g. `registry.example.com/app/api:sha-abc123`. */
  readonly pulled: readonly string[];
}

/**
 * Pull the images of a compose project. The pull itself tells whether a registry has a new digest,
 * so the task runs ONE command that records the local image ids, pulls, and records them again:
 * it reports changed only when an id changed. In check mode one read-only command lists the
 * images: missing ones would be pulled; with policy `always` present ones are reported as "would
 * pull" too, since only pulling tells whether a moving tag has moved (like Ansible's).
 * @example composePull({ projectDir: "/srv/cfa", envFiles: [".env", "deploy.env"], policy: "missing" })
 */
export const composePull = defineTask<ComposePullParams, ComposePullOutput>({
  id: "docker.composePull",
  description: "Pull a compose project's images; changed only when a local image id changed.",
  title: (p) => `compose pull ${projectLabel(p)}${p.services?.length ? ` (${p.services.join(", ")})` : ""}`,
  schema: composePullParams,
  async check(host, p) {
    const services = p.services ?? [];
    const compose = sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
    const policy = p.policy ?? "always";
    const pull = sh`${compose} pull --quiet ${policy === "missing" ? ["--policy", "missing"] : []} ${[...services]}`;
    const step = {
      ...script(
        sh`${section("before")}`,
        sh`${imageIdsScript(compose, services)} || exit 1`,
        sh`${pull} || exit 1`,
        sh`${section("after")}`,
        imageIdsScript(compose, services),
      ),
      label: `compose pull ${projectLabel(p)} (image ids before and after)`,
    };
    // checkMode: a pull is the only way to learn a moving tag's new digest, so --check reports only missing images.
    if (host.checkMode) {
      let images: Map<string, string>;
      try {
        images = await host.fact(composeImages, { compose, services });
      } catch (error) {
        throw host.fail(`Cannot pull compose project ${projectLabel(p)}: ${(error as Error).message}`);
      }
      const missing = [...images].filter(([, id]) => !id).map(([image]) => image);
      const present = [...images].filter(([, id]) => id).map(([image]) => image);
      // Check mode cannot know whether a moving tag has new digests without pulling; it reports only
      // missing images as changes (immutable tags such as sha-abc123 are then exact) and notes the rest.
      const note = policy === "always" && present.length ? ` (a moving tag may still have new digests: ${present.join(", ")})` : "";
      if (!missing.length) return unchanged(`every image of ${projectLabel(p)} is on the host${note}`, { pulled: [] });
      return changed([step], { message: `would pull (missing: ${missing.join(", ")})${note}`, output: { pulled: missing } });
    }
    return changed([step], {
      finish: (results) => {
        const out = parseSections((results[0] as ExecResult).stdout);
        const pulled = changedImages(parseImageIds(sectionLines(out, "before")), parseImageIds(sectionLines(out, "after")));
        return pulled.length
          ? { changed: true, output: { pulled }, message: `pulled ${pulled.join(", ")}` }
          : { changed: false, output: { pulled }, message: "every image is up to date" };
      },
    });
  },
});
