import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { AptSuite } from "./apt.js";
import { SCRIPTS_DIR } from "./paths.js";

/** Bump when {@link buildImage}'s steps change in a way a recipe's data does not show. */
const BUILDER_VERSION = 5;

/** Label carrying a recipe's hash on every image built from it. */
export const RECIPE_LABEL = "lab.bosun.recipe";

/** A file written into an image's root filesystem. */
export interface RecipeFile {
  /** Absolute path inside the image. */
  readonly path: string;
  /** File content. */
  readonly content: string;
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
}

/** How to build a small image from Debian packages, unpacked (no maintainer scripts) into an empty root. */
export interface ImageRecipe {
  /** Local repository, e.g. `bosun-lab/registry`; the tag is the recipe hash. */
  readonly name: string;
  /** Debian suite of the packages (default bookworm). */
  readonly suite?: AptSuite;
  /** Packages whose dependency closure is unpacked; busybox-static is always added. */
  readonly packages: readonly string[];
  /** Closure members not unpacked (perl, debconf ... that only maintainer scripts need). */
  readonly exclude?: readonly string[];
  /** Paths (globs not supported) removed after unpacking. */
  readonly prune?: readonly string[];
  /** Extra users `name:uid` (a group of the same id is added; home /var/lib/<name>). */
  readonly users?: readonly string[];
  /** Files written after unpacking. */
  readonly files?: readonly RecipeFile[];
  /** Commands run with `chroot` into the finished root, e.g. byte-compiling python modules. */
  readonly run?: readonly (readonly string[])[];
  /** Dockerfile instructions applied by `docker import --change` (ENTRYPOINT, ENV, ...). */
  readonly changes: readonly string[];
}

/** Paths every image drops: documentation nobody reads in a container. */
export const DEFAULT_PRUNE: readonly string[] = [
  "/usr/share/doc",
  "/usr/share/man",
  "/usr/share/info",
  "/usr/share/lintian",
  "/usr/share/locale",
  "/usr/share/bug",
  "/usr/lib/x86_64-linux-gnu/gconv",
];

/** Packages that only maintainer scripts or interactive tools need; never unpacked. */
export const DEFAULT_EXCLUDE: readonly string[] = [
  "perl",
  "perl-base",
  "perl-modules-5.36",
  "libperl5.36",
  "debconf",
  "adduser",
  "passwd",
  "dpkg",
  "tar",
  "usrmerge",
  "init-system-helpers",
  "sysvinit-utils",
  "lsb-base",
  "ucf",
  "sensible-utils",
  "ssl-cert",
  "locales",
  "libc-l10n",
  "libjson-perl",
  "libnumber-compare-perl",
  "libtext-glob-perl",
  "libfile-find-rule-perl",
];

/** A file whose content is the script `name` from lib/lab/services/scripts/. */
export function scriptFile(name: string, target: string): RecipeFile {
  return { path: target, content: readFileSync(path.join(SCRIPTS_DIR, name), "utf8"), mode: 0o755 };
}

/** Hash of everything that shapes the image: same recipe, same tag. */
export function recipeHash(recipe: ImageRecipe): string {
  const h = createHash("sha256");
  h.update(JSON.stringify({ v: BUILDER_VERSION, defaults: [DEFAULT_PRUNE, DEFAULT_EXCLUDE], recipe }));
  return h.digest("hex").slice(0, 16);
}

/** Local tag of the image built from `recipe`: `<name>:<recipe hash>`. */
export function recipeTag(recipe: ImageRecipe): string {
  return `${recipe.name}:${recipeHash(recipe)}`;
}
