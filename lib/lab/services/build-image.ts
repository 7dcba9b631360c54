import { lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import path from "node:path";
import { withLabLock } from "../lock.js";
import { runProcess } from "../process.js";
import { aptFetchClosure } from "./apt.js";
import { docker, imageExists } from "./docker.js";
import { DEFAULT_EXCLUDE, DEFAULT_PRUNE, RECIPE_LABEL, recipeHash, recipeTag, type ImageRecipe } from "./image-recipe.js";
import { SERVICES_CACHE_DIR } from "./paths.js";

const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function writeFile(root: string, file: string, content: string, mode = 0o644): void {
  const target = path.join(root, file);
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(target, { force: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Link busybox applets where the unpacked packages left no program of that name. */
async function linkBusybox(root: string): Promise<void> {
  // controller-tools: none -- the unpacked root filesystem's own busybox, not this machine's
  const list = await runProcess([path.join(root, "bin", "busybox"), "--list-full"]);
  for (const rel of list.stdout.split("\n").filter(Boolean)) {
    const target = path.join(root, rel);
    if (exists(target)) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync("/bin/busybox", target);
  }
}

/** The files a root filesystem needs that maintainer scripts would have made. */
function writeBaseFiles(root: string, users: readonly string[]): void {
  const extra = users.map((u) => {
    const [name, uid] = u.split(":");
    return { name: name ?? "", uid: Number(uid) };
  });
  const passwd = [
    "root:x:0:0:root:/root:/bin/sh",
    ...extra.map((u) => `${u.name}:x:${u.uid}:${u.uid}::/var/lib/${u.name}:/bin/sh`),
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  ];
  const group = ["root:x:0:", ...extra.map((u) => `${u.name}:x:${u.uid}:`), "nogroup:x:65534:"];
  writeFile(root, "etc/passwd", passwd.join("\n") + "\n");
  writeFile(root, "etc/group", group.join("\n") + "\n");
  writeFile(root, "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n");
  for (const d of ["tmp", "var/tmp"]) {
    mkdirSync(path.join(root, d), { recursive: true });
    chmodSync(path.join(root, d), 0o1777);
  }
  for (const d of ["root", "run", "proc", "sys", "dev", "etc/ssl/certs"]) mkdirSync(path.join(root, d), { recursive: true });
  mkdirSync(path.join(root, "var"), { recursive: true });
  if (!exists(path.join(root, "var/run"))) symlinkSync("/run", path.join(root, "var/run"));
  for (const u of extra) mkdirSync(path.join(root, "var/lib", u.name), { recursive: true });
}

async function assemble(recipe: ImageRecipe, root: string): Promise<void> {
  const exclude = new Set([...DEFAULT_EXCLUDE, ...(recipe.exclude ?? [])]);
  const debs = await aptFetchClosure(recipe.suite ?? "bookworm", ["busybox-static", ...recipe.packages]);
  const queue = debs.filter((d) => !exclude.has(d.name));
  // A few unpackers at once: the packages of one closure never ship the same file.
  const lanes = await Promise.allSettled(
    Array.from({ length: 4 }, async () => {
      for (let pkg = queue.shift(); pkg; pkg = queue.shift()) await runProcess(["dpkg-deb", "-x", pkg.deb, root]);
    }),
  );
  for (const lane of lanes) if (lane.status === "rejected") throw lane.reason;
  for (const p of [...DEFAULT_PRUNE, ...(recipe.prune ?? [])]) rmSync(path.join(root, p), { recursive: true, force: true });
  await linkBusybox(root);
  writeBaseFiles(root, recipe.users ?? []);
  for (const f of recipe.files ?? []) writeFile(root, f.path, f.content, f.mode);
  await runProcess(["ldconfig", "-r", root]);
  for (const argv of recipe.run ?? []) await runProcess(["chroot", root, ...argv]);
  for (const c of recipe.changes) {
    const program = /^ENTRYPOINT \["([^"]+)"/.exec(c)?.[1];
    if (program && !exists(path.join(root, program))) {
      throw new Error(`Cannot build ${recipe.name}: its entrypoint ${program} is not in the unpacked packages`);
    }
  }
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Build the image of `recipe` unless it exists: resolve and download its packages with the
 * private apt configuration, unpack them into an empty root, `docker import` it. Returns the tag.
 */
export function buildImage(recipe: ImageRecipe): Promise<string> {
  const tag = recipeTag(recipe);
  let build = inFlight.get(tag);
  if (!build) {
    // The lock keeps two processes (the CLI, jest workers) from building into one work directory.
    build = withLabLock(`build-${recipe.name.replace(/\W/g, "-")}`, () => buildOnce(recipe, tag)).finally(() => inFlight.delete(tag));
    inFlight.set(tag, build);
  }
  return build;
}

/** Remove the other tags of `name` (images of older recipes). */
async function removeStaleTags(name: string, keep: string): Promise<void> {
  const r = await docker(["images", name, "--format", "{{.Repository}}:{{.Tag}}"]);
  const stale = r.stdout.split("\n").filter((t) => t && t !== keep);
  if (stale.length) await docker(["rmi", ...stale], { allowFailure: true });
}

async function buildOnce(recipe: ImageRecipe, tag: string): Promise<string> {
  if (await imageExists(tag)) return tag;
  const work = path.join(SERVICES_CACHE_DIR, "build", `${recipe.name.replace(/\W/g, "-")}-${recipeHash(recipe)}`);
  const root = path.join(work, "root");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  try {
    await assemble(recipe, root);
    const tarball = path.join(work, "rootfs.tar");
    await runProcess(["tar", "-C", root, "--numeric-owner", "-cf", tarball, "."]);
    const changes = [`ENV PATH=${BASE_PATH}`, `LABEL ${RECIPE_LABEL}=${recipeHash(recipe)}`, ...recipe.changes];
    await docker(["import", ...changes.flatMap((c) => ["--change", c]), tarball, tag]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!(await imageExists(tag))) throw new Error(`Cannot build ${tag}: docker import left no image`);
  await removeStaleTags(recipe.name, tag);
  return tag;
}

/** Options for {@link deriveImage}. */
export interface DeriveImageOptions {
  /** Dockerfile instructions (ENV, LABEL ...) the new image adds to its base. */
  readonly changes: readonly string[];
}

/** Make image `tag` from `base` with extra Dockerfile instructions (a commit of an unstarted container). */
export async function deriveImage(base: string, tag: string, { changes }: DeriveImageOptions): Promise<void> {
  const id = (await docker(["create", base])).stdout.trim();
  try {
    await docker(["commit", ...changes.flatMap((c) => ["--change", c]), id, tag]);
  } finally {
    await docker(["rm", "-f", id], { allowFailure: true });
  }
}
