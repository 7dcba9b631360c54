import { createHash } from "node:crypto";
import { buildImage, deriveImage } from "./build-image.js";
import { APP_RECIPE, MIGRATOR_RECIPE, POSTGRES_RECIPE } from "./demo-recipes.js";
import { RECIPE_LABEL, recipeHash, type ImageRecipe } from "./image-recipe.js";
import { SERVICES } from "./names.js";
import { loginForPush, pushedRecipe, pushImage } from "./registry-client.js";

/** One image the lab publishes in its registry. */
export interface DemoImage {
  /** Repository in the registry, e.g. `demo/app`. */
  readonly repo: string;
  /** Tag, e.g. `v1`. */
  readonly tag: string;
  /** Recipe of the root filesystem. */
  readonly recipe: ImageRecipe;
  /** Dockerfile instructions that make this tag differ from the recipe's image. */
  readonly changes: readonly string[];
}

const appTag = (tag: string, broken = false): DemoImage => ({
  repo: "demo/app",
  tag,
  recipe: APP_RECIPE,
  changes: [`ENV APP_VERSION=${tag}`, ...(broken ? ["ENV APP_BROKEN=1"] : [])],
});
const migratorTag = (tag: string): DemoImage => ({
  repo: "demo/migrator",
  tag,
  recipe: MIGRATOR_RECIPE,
  changes: [`ENV MIGRATION_VERSION=${tag}`],
});

/**
 * The published images: `demo/app:{v1,v2,v3}` (healthy, `/version` answers the tag),
 * `demo/app:broken` (`/api/ready` answers 500), `demo/migrator:{v1,v2,v3}` (fails when
 * `MIGRATE_FAIL=1`) and `demo/postgres:15`.
 */
export const DEMO_IMAGES: readonly DemoImage[] = [
  appTag("v1"),
  appTag("v2"),
  appTag("v3"),
  appTag("broken", true),
  migratorTag("v1"),
  migratorTag("v2"),
  migratorTag("v3"),
  { repo: "demo/postgres", tag: "15", recipe: POSTGRES_RECIPE, changes: [] },
];

/** Reference of `repo:tag` as lab hosts pull it: `registry.lab.test:5000/<repo>:<tag>`. */
export function labImageRef(repo: string, tag: string): string {
  return `${SERVICES.registry.host}:${SERVICES.registry.port}/${repo}:${tag}`;
}

function imageHash(image: DemoImage): string {
  return createHash("sha256")
    .update(JSON.stringify([recipeHash(image.recipe), image.changes]))
    .digest("hex")
    .slice(0, 16);
}

/** What {@link publishDemoImages} did per image. */
export interface PublishReport {
  /** `repo:tag` of the images built and pushed now. */
  readonly pushed: readonly string[];
  /** `repo:tag` of the images the registry already had from the same recipe. */
  readonly kept: readonly string[];
}

/** Build and push every {@link DEMO_IMAGES} tag the registry lacks (or has from an older recipe). */
export async function publishDemoImages(): Promise<PublishReport> {
  const current = await Promise.all(DEMO_IMAGES.map(async (i) => (await pushedRecipe(i.repo, i.tag)) === imageHash(i)));
  const todo = DEMO_IMAGES.filter((_, n) => !current[n]);
  if (todo.length) {
    await loginForPush();
    await Promise.all(
      todo.map(async (image) => {
        const base = await buildImage(image.recipe);
        const local = `${image.recipe.name}:${image.tag}`;
        await deriveImage(base, local, { changes: [...image.changes, `LABEL ${RECIPE_LABEL}=${imageHash(image)}`] });
        await pushImage(local, `${image.repo}:${image.tag}`);
      }),
    );
  }
  const name = (i: DemoImage) => `${i.repo}:${i.tag}`;
  return { pushed: todo.map(name), kept: DEMO_IMAGES.filter((_, n) => current[n]).map(name) };
}
