/**
 * Local images of some repositories (id, creation time, tags) and the images containers use, in
 * one command; and the pure choice of which tags an image prune keeps.
 */
import { defineFact } from "../core/fact.js";
import { sh } from "../core/command.js";
import { parseSections, script, section, sectionLines } from "./docker-sections.js";

/** One local image of a queried repository. */
export interface LocalImage {
  /** Full image id (`sha256:...`). */
  readonly id: string;
  /** Creation time (ISO 8601, as docker prints it, nanoseconds included). */
  readonly created: string;
  /** Every `repository:tag` pointing at it (other repositories included). */
  readonly tags: readonly string[];
  /** Every `repository@sha256:...` it was pulled as (an image a moving tag left behind has these and no tags). */
  readonly digests?: readonly string[];
}

/** What {@link repositoryImages} found. */
export interface RepositoryImages {
  /** Images of the queried repositories. */
  readonly images: readonly LocalImage[];
  /** Ids of the images that containers (running or not) were created from. */
  readonly inUse: ReadonlySet<string>;
}

/** Images of these repositories (e.g. `registry.example.com/app/api`) and the images in use. */
export const repositoryImages = defineFact<readonly string[], RepositoryImages>({
  id: "docker.repositoryImages",
  command: (repositories) =>
    script(
      sh`${section("used")}; docker ps -aq --no-trunc | xargs -r docker inspect --format '{{.Image}}' || exit 1`,
      sh`${section("images")}; for r in ${[...repositories]}; do ids=$(docker image ls -q --no-trunc -- "$r") || exit 1; if [ -n "$ids" ]; then docker image inspect --format '{{.Id}} {{.Created}} {{json .RepoTags}} {{json .RepoDigests}}' $(printf '%s\\n' $ids | sort -u) || exit 1; fi; done`,
      sh`${section("end")}`,
    ),
  parse: (r) => {
    if (r.code !== 0 || !r.stdout.includes("@@bosun:end"))
      throw new Error(`Cannot list docker images: ${r.stderr.trim() || `exit ${r.code}`}`);
    const s = parseSections(r.stdout);
    const seen = new Map<string, LocalImage>();
    for (const line of sectionLines(s, "images")) {
      const m = /^(\S+) (\S+) (\S+)(?: (\S+))?$/.exec(line);
      if (!m?.[1] || !m[2]) continue;
      const digests = m[4] ? ((JSON.parse(m[4]) as string[] | null) ?? []) : undefined;
      seen.set(m[1], {
        id: m[1],
        created: m[2],
        tags: (JSON.parse(m[3] ?? "[]") as string[] | null) ?? [],
        ...(digests ? { digests } : {}),
      });
    }
    return { images: [...seen.values()], inUse: new Set(sectionLines(s, "used").filter(Boolean)) };
  },
});

/** The repository of `repo:tag` (the tag is after the last colon that follows the last slash). */
export function splitReference(ref: string): { repository: string; tag: string } {
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: "latest" };
}

/** Which tags a prune keeps and removes. */
export interface PrunePlan {
  /** `repository:tag` references kept, newest first. */
  readonly kept: readonly string[];
  /** `repository:tag` references removed, newest first. */
  readonly removed: readonly string[];
}

/** Options of {@link planPrune}. */
export interface PruneChoice {
  /** Tags kept per repository, newest image first. */
  readonly keep: number;
  /** Tags always kept (e.g. the releases a deploy history names). */
  readonly keepTags?: readonly string[];
  /**
   * Digest references (`repo@sha256:...`) always kept, e.g. those a deploy history records. When
   * given, untagged images of the repositories (left behind by a moving tag) are pruned too,
   * unless in use or kept here; without it they are left alone.
   */
  readonly keepDigests?: readonly string[];
}

/** A sortable key of docker's creation time: the fraction of a second padded to nanoseconds. */
export function createdKey(created: string): string {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(created);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z` : created;
}

/**
 * Per repository, keep the `keep` newest tags (by image creation time; ties by tag name,
 * descending) plus the tags of images containers use and the `keepTags`; remove the rest. Pure.
 */
export function planPrune(found: RepositoryImages, repositories: readonly string[], choice: PruneChoice): PrunePlan {
  const kept: string[] = [];
  const removed: string[] = [];
  for (const repository of repositories) {
    const tags = found.images
      .flatMap((image) =>
        image.tags
          .filter((t) => splitReference(t).repository === repository)
          .map((ref) => ({ ref, image, key: createdKey(image.created) })),
      )
      .sort((a, b) => (a.key === b.key ? (a.ref < b.ref ? 1 : -1) : a.key < b.key ? 1 : -1));
    const keepDigests = choice.keepDigests ?? [];
    const recorded = (image: LocalImage) => (image.digests ?? []).some((d) => keepDigests.includes(d));
    tags.forEach(({ ref, image }, index) => {
      const pinned = found.inUse.has(image.id) || (choice.keepTags ?? []).includes(splitReference(ref).tag) || recorded(image);
      (index < choice.keep || pinned ? kept : removed).push(ref);
    });
    if (!choice.keepDigests) continue;
    const untagged = found.images
      .filter((image) => !image.tags.some((t) => splitReference(t).repository === repository))
      .map((image) => ({ image, ref: (image.digests ?? []).find((d) => d.startsWith(`${repository}@`)) }))
      .filter((u): u is { image: LocalImage; ref: string } => u.ref !== undefined)
      .sort((a, b) => (createdKey(a.image.created) < createdKey(b.image.created) ? 1 : -1));
    for (const { image, ref } of untagged) (found.inUse.has(image.id) || recorded(image) ? kept : removed).push(ref);
  }
  return { kept, removed };
}
