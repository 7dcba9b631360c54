import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { debianMirrors, type DebianMirrors } from "./apt-sources.js";
import { buildDockerVariant, dockerVariantHash } from "./image-docker-variant.js";
import { IMPORT_CHANGES, LAB_PACKAGES, LAB_SUITE, labRootfsEdits, recipeHash } from "./image-recipe.js";
import { STOCK_SUITES, stockRecipe, type BaseImageRecipe, type StockSuite } from "./image-stock.js";
import { withLabLock } from "./lock.js";
import { CACHE_DIR } from "./paths.js";
import { runProcess } from "./process.js";
import { applyRootfsEdits } from "./rootfs-edits.js";

/** Repository (name without tag) of every lab host image. */
export const LAB_IMAGE_REPO = "bosun-lab-host";

/**
 * Which lab host image: `fresh` is a new VPS with the lab's conveniences (curl, sudo, python3 ...);
 * `docker` has docker.io preinstalled; `bookworm` and `trixie` are stock images of Debian 12 and 13.
 */
export type LabVariant = "fresh" | "docker" | StockSuite;

/** Every lab variant, for `lab status` and argument checks. */
export const LAB_VARIANTS: readonly LabVariant[] = ["fresh", "docker", ...STOCK_SUITES];

function isStock(variant: LabVariant): variant is StockSuite {
  return (STOCK_SUITES as readonly string[]).includes(variant);
}

/** Options for {@link ensureLabImage}. */
export interface EnsureLabImageOptions {
  /** Image variant (default `fresh`). */
  readonly variant?: LabVariant;
  /** Called with one line per build step; silent when omitted. */
  readonly log?: (line: string) => void;
}

const TAR_FLAGS = ["--numeric-owner", "--xattrs", "--xattrs-include=*"];

/** The recipe of the base image, from which its tag and cache keys derive. */
function baseRecipe(mirrors: DebianMirrors): BaseImageRecipe {
  const debootstrap = { suite: LAB_SUITE, variant: "minbase", mirror: mirrors.archive, packages: LAB_PACKAGES };
  return {
    debootstrap,
    tarball: path.join(CACHE_DIR, `rootfs-${LAB_SUITE}-${recipeHash(debootstrap)}.tar`),
    edits: labRootfsEdits(mirrors),
    changes: IMPORT_CHANGES,
  };
}

/** The tag of the lab host image for `variant` on this machine (whether built or not). */
export function labImageTag(variant: LabVariant = "fresh"): string {
  if (isStock(variant)) return `${LAB_IMAGE_REPO}:${variant}-${recipeHash(stockRecipe(variant, debianMirrors(variant)))}`;
  const base = `${LAB_IMAGE_REPO}:${recipeHash(baseRecipe(debianMirrors(LAB_SUITE)))}`;
  return variant === "fresh" ? base : `${base}-docker-${dockerVariantHash()}`;
}

/** True when docker has an image with this tag. */
export async function imageExists(tag: string): Promise<boolean> {
  return (await runProcess(["docker", "image", "inspect", "--format", "{{.Id}}", tag], { allowFailure: true })).code === 0;
}

async function timed(log: (line: string) => void, what: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now();
  log(`${what} ...`);
  await fn();
  log(`${what}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** debootstrap the rootfs into a cached tarball (kept under .lab/cache/, reused by later builds). */
async function ensureRootfsTarball(recipe: BaseImageRecipe, log: (line: string) => void): Promise<void> {
  if (existsSync(recipe.tarball)) return;
  const work = path.join(CACHE_DIR, `debootstrap-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const d = recipe.debootstrap;
  try {
    await timed(log, `debootstrap ${d.suite} from ${d.mirror}`, async () => {
      const argv = ["debootstrap", `--variant=${d.variant}`, `--include=${d.packages.join(",")}`, d.suite, work, d.mirror];
      // controller-tools: debootstrap (argv above)
      const r = await runProcess(argv, { allowFailure: true });
      if (r.code !== 0) {
        const tail = (r.stdout + r.stderr).split("\n").slice(-15).join("\n");
        throw new Error(`Cannot debootstrap ${d.suite} from ${d.mirror}: exit ${r.code}\n${tail}`);
      }
    });
    await runProcess(["tar", ...TAR_FLAGS, "-C", work, "-cf", `${recipe.tarball}.tmp`, "."]);
    renameSync(`${recipe.tarball}.tmp`, recipe.tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(`${recipe.tarball}.tmp`, { force: true });
  }
}

/** Unpack the cached rootfs, apply the recipe's edits, and `docker import` it as `tag`. */
async function importBaseImage(recipe: BaseImageRecipe, tag: string, log: (line: string) => void): Promise<void> {
  const work = path.join(CACHE_DIR, `import-${process.pid}`);
  const rootfs = path.join(work, "rootfs");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  try {
    await timed(log, `docker import ${tag}`, async () => {
      await runProcess(["tar", ...TAR_FLAGS, "-C", rootfs, "-xpf", recipe.tarball]);
      applyRootfsEdits(rootfs, recipe.edits);
      const tarball = path.join(work, "image.tar");
      await runProcess(["tar", ...TAR_FLAGS, "-C", rootfs, "-cf", tarball, "."]);
      const changes = [...recipe.changes, "LABEL bosun.lab=1"].flatMap((c) => ["--change", c]);
      await runProcess(["docker", "import", ...changes, "--message", "bosun lab host", tarball, tag]);
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Make sure the lab host image for `variant` exists, building it from Debian packages when
 * missing (debootstrap, cached as a tarball under .lab/cache/, then `docker import`). Returns its tag.
 */
export async function ensureLabImage(options: EnsureLabImageOptions = {}): Promise<string> {
  const variant = options.variant ?? "fresh";
  const log = options.log ?? (() => {});
  const tag = labImageTag(variant);
  if (await imageExists(tag)) return tag;
  return withLabLock("image", async () => {
    if (await imageExists(tag)) return tag; // built by another process meanwhile
    if (isStock(variant)) {
      const recipe = stockRecipe(variant, debianMirrors(variant));
      mkdirSync(CACHE_DIR, { recursive: true });
      await ensureRootfsTarball(recipe, log);
      await importBaseImage(recipe, tag, log);
      return tag;
    }
    const baseTag = labImageTag("fresh");
    if (!(await imageExists(baseTag))) {
      const recipe = baseRecipe(debianMirrors(LAB_SUITE));
      mkdirSync(CACHE_DIR, { recursive: true });
      await ensureRootfsTarball(recipe, log);
      await importBaseImage(recipe, baseTag, log);
    }
    if (variant === "docker") await timed(log, `build ${tag}`, () => buildDockerVariant(baseTag, tag));
    return tag;
  });
}
