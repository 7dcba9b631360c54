/**
 * Releases pinned by digest. After the pull, each service's image reference (a tag, maybe a moving
 * one such as `dev` or `latest`) is resolved to the registry digest the host now has
 * (`repo@sha256:...`), and written to `deploy.images.yaml`, a compose override the deploy passes
 * after the bundle's files: compose then runs exactly those images, whatever the tag points at
 * later. The release history keeps the same map, so `--rollback` and `--promote-from` deploy the
 * digests, not the tags.
 */
import { defineTask, changed, unchanged } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, absPath, list, nonEmpty } from "../../lib/core/params.js";
import { composeCommand, type ComposeProjectParams } from "../../lib/tasks/docker/compose-project.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { splitReference } from "../../lib/facts/docker-images.js";

import { PIN_FILE } from "./vars.js";

export { PIN_FILE };

/** Service → `repo@sha256:...`. */
export type ReleaseImages = Readonly<Record<string, string>>;

/** The repository of an image reference, without tag or digest. */
export function repositoryOf(ref: string): string {
  return splitReference(ref.split("@")[0]!).repository;
}

/** The digest reference of `image` among `repoDigests` (docker's RepoDigests), if it has one. */
export function digestFor(image: string, repoDigests: readonly string[]): string | undefined {
  if (image.includes("@sha256:")) return `${repositoryOf(image)}@${image.split("@")[1]}`;
  const repo = repositoryOf(image);
  return repoDigests.find((d) => d.startsWith(`${repo}@sha256:`));
}

/** The pin file's text (services sorted; no timestamp: the same release gives the same file). */
export function pinFileContent(images: ReleaseImages, tag: string): string {
  const lines = Object.keys(images)
    .sort()
    .map((s) => `  ${JSON.stringify(s)}:\n    image: ${JSON.stringify(images[s])}`);
  return `# Written by bosun (playbooks/deploy.ts): the images of release ${tag}, pinned by digest. Do not edit.\nservices:\n${lines.join("\n")}\n`;
}

/** The images a pin file names (pure; {} for a missing or foreign file). */
export function parsePinFile(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let service: string | undefined;
  for (const line of (text ?? "").split("\n")) {
    const s = /^ {2}"?([^":]+)"?:\s*$/.exec(line);
    if (s) service = s[1];
    const i = /^ {4}image:\s*"?([^"]+)"?\s*$/.exec(line);
    if (i && service) out[service] = i[1]!;
  }
  return out;
}

/** Parameters for {@link resolveDigests}. */
export interface ResolveDigestsParams extends ComposeProjectParams {
  readonly projectDir: string;
}

/** Output of {@link resolveDigests}. */
export interface ResolveDigestsOutput {
  /** Service → digest reference, for every service whose image is on the host. */
  readonly images: ReleaseImages;
  /** Services whose image is not on the host (a profile's, not pulled yet): not pinned. */
  readonly unpinned: readonly string[];
}

/** Parse the `config` section (compose's JSON on one line) and the `digests` section (`image json(RepoDigests)` lines) (pure). */
export function parseDigests(stdout: string): ResolveDigestsOutput {
  const s = parseSections(stdout);
  const digests = new Map<string, string[]>();
  for (const line of sectionLines(s, "digests")) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m) digests.set(m[1]!, (JSON.parse(m[2] || "[]") as string[] | null) ?? []);
  }
  let services: Record<string, { image?: string }> = {};
  try {
    services = (JSON.parse(sectionLines(s, "config").join("")) as { services?: typeof services }).services ?? {};
  } catch {
    services = {};
  }
  const images: Record<string, string> = {};
  const unpinned: string[] = [];
  for (const [service, v] of Object.entries(services).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!v.image) continue;
    const ref = digestFor(v.image, digests.get(v.image) ?? []);
    if (ref) images[service] = ref;
    else unpinned.push(service);
  }
  return { images, unpinned };
}

/**
 * Resolve each service's image (those `up` runs) to the digest the host holds: one read-only
 * command (`compose config` for the references, `docker image inspect` for their RepoDigests).
 * @example resolveDigests({ projectDir: "/srv/cfa", envFiles: [".env", "deploy.env"], projectName: "cfa" })
 */
export const resolveDigests = defineTask<ResolveDigestsParams, ResolveDigestsOutput>({
  id: "deploy.resolveDigests",
  description: "Resolve each compose service's image to the registry digest on the host (repo@sha256:...).",
  title: () => "pin the images by digest",
  schema: params({ projectDir: absPath }, { files: list(nonEmpty), envFiles: list(nonEmpty), projectName: nonEmpty }),
  async check(host, p) {
    // The services `up` runs; one-off services of a profile (a migrator) run by tag: their image is on
    // the host only after they ran, so pinning them would make the second identical deploy differ.
    const c = sh`cd -- ${p.projectDir} && ${composeCommand(p)}`;
    const r = await host.exec(sh`echo @@bosun:config; ${c} config --format json | tr -d '\n' || exit 1
echo; echo @@bosun:digests; for i in $(${c} config --images | sort -u); do printf '%s %s\n' "$i" "$(docker image inspect -f '{{json .RepoDigests}}' "$i" 2>/dev/null || echo '[]')"; done`);
    if (r.code !== 0) throw host.fail(`Cannot resolve the image digests: ${(r.stderr || r.stdout).trim()}`);
    const out = parseDigests(r.stdout);
    const pinned = Object.keys(out.images).length;
    return unchanged(
      `${pinned} image(s) pinned${out.unpinned.length ? `; not on the host, left to their tag: ${out.unpinned.join(", ")}` : ""}`,
      out,
    );
  },
});

/** Parameters for {@link writePinFile}. */
export interface WritePinFileParams {
  readonly appDir: string;
  readonly content: string;
  readonly title?: string;
}

/** Write (or in check mode: would write) the pin file when its text differs; one command. */
export const writePinFile = defineTask<WritePinFileParams>({
  id: "deploy.pinFile",
  description: "Write deploy.images.yaml, the compose override pinning the release's images by digest.",
  title: () => `${PIN_FILE}`,
  schema: params({ appDir: absPath, content: nonEmpty }),
  async check(host, p) {
    const file = `${p.appDir}/${PIN_FILE}`;
    const current = await host.exec(sh`cat -- ${file} 2>/dev/null || true`);
    if (current.stdout === p.content) return unchanged(`${PIN_FILE} pins these digests`);
    return changed(
      [sh`printf '%s' ${p.content} > ${`${file}.tmp`} && chmod 0644 -- ${`${file}.tmp`} && mv -f -- ${`${file}.tmp`} ${file}`],
      {
        message: `pinned ${Object.values(parsePinFile(p.content)).join(", ")}`,
        diff: { label: file, before: current.stdout, after: p.content },
      },
    );
  },
});
