import { mkdirSync } from "node:fs";
import path from "node:path";
import { docker } from "./docker.js";
import { httpRequest } from "./http.js";
import { RECIPE_LABEL } from "./image-recipe.js";
import { PUSH_CONFIG_SUBDIR } from "./names.js";
import { SERVICES_DIR } from "./paths.js";
import { basicAuth, REGISTRY_LOCAL, registryCredentials } from "./registry.js";

/** Docker config directory of this machine's pushes: a login that leaves ~/.docker alone. */
export const PUSH_CONFIG_DIR = path.join(SERVICES_DIR, PUSH_CONFIG_SUBDIR);

const MANIFEST_TYPES = ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"].join(", ");

/** The recipe label of `repo:tag` in the lab registry, or undefined when the tag is missing. */
export async function pushedRecipe(repo: string, tag: string): Promise<string | undefined> {
  const auth = basicAuth(registryCredentials());
  const base = `http://${REGISTRY_LOCAL}/v2/${repo}`;
  const m = await httpRequest(`${base}/manifests/${tag}`, { headers: { Authorization: auth, Accept: MANIFEST_TYPES } });
  if (m.status === 404) return undefined;
  if (m.status !== 200) throw new Error(`Cannot read ${repo}:${tag} from the lab registry: HTTP ${m.status}`);
  const digest = (JSON.parse(m.body) as { config?: { digest?: string } }).config?.digest;
  if (!digest) return undefined;
  const c = await httpRequest(`${base}/blobs/${digest}`, { headers: { Authorization: auth } });
  if (c.status !== 200) return undefined;
  const config = JSON.parse(c.body) as { config?: { Labels?: Record<string, string> | null } };
  return config.config?.Labels?.[RECIPE_LABEL];
}

/** Log this machine's push config in to the lab registry (password on stdin). */
export async function loginForPush(): Promise<void> {
  const creds = registryCredentials();
  mkdirSync(PUSH_CONFIG_DIR, { recursive: true, mode: 0o700 });
  await docker(["--config", PUSH_CONFIG_DIR, "login", REGISTRY_LOCAL, "-u", creds.username, "--password-stdin"], {
    input: creds.password,
  });
}

/** Tag local image `image` as `127.0.0.1:5000/<repoTag>` (e.g. `demo/app:v1`) and push it with the push config. */
export async function pushImage(image: string, repoTag: string): Promise<void> {
  const ref = `${REGISTRY_LOCAL}/${repoTag}`;
  await docker(["tag", image, ref]);
  await docker(["--config", PUSH_CONFIG_DIR, "push", ref]);
}
