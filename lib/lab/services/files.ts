import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { docker } from "./docker.js";
import { buildImage } from "./build-image.js";
import { httpRequest, waitUntil } from "./http.js";
import { scriptFile, type ImageRecipe } from "./image-recipe.js";
import { SERVICES } from "./names.js";
import { FILES_DIR } from "./paths.js";
import { ensureServiceContainer, type ContainerAction } from "./service-container.js";

/** busybox httpd behind a shell PID 1 that stops it at once on SIGTERM. */
export const FILES_RECIPE: ImageRecipe = {
  name: "bosun-lab/files",
  packages: [],
  files: [scriptFile("files-run.sh", "/usr/local/bin/files-run")],
  changes: ['ENTRYPOINT ["/usr/local/bin/files-run"]', "EXPOSE 80"],
};

/** URL of file `name` as lab hosts fetch it: `http://files.lab.test/<name>`. */
export function labFileUrl(name: string): string {
  return `http://${SERVICES.files.host}/${name}`;
}

/** URL of file `name` as this machine fetches it: `http://127.0.0.1:8070/<name>`. */
export function localFileUrl(name: string): string {
  return `http://127.0.0.1:${SERVICES.files.localPort}/${name}`;
}

/** The index page, with a random id that tells whether the container serves this very directory. */
function indexPage(): string {
  const index = path.join(FILES_DIR, "index.html");
  if (!existsSync(index)) {
    const id = randomBytes(8).toString("hex");
    writeFileSync(index, `<!doctype html><title>bosun lab files</title><p>bosun lab files ${id}\n`);
  }
  return readFileSync(index, "utf8");
}

/**
 * Start (or keep) `files.lab.test`, serving {@link FILES_DIR} read-only, and wait until it
 * answers; a container left serving a deleted directory is replaced.
 */
export async function ensureFileServer(): Promise<ContainerAction> {
  mkdirSync(FILES_DIR, { recursive: true });
  const page = indexPage();
  const s = SERVICES.files;
  const spec = {
    name: s.container,
    service: "files",
    image: await buildImage(FILES_RECIPE),
    aliases: [s.host],
    ports: [[s.localPort, s.port]] as const,
    mounts: [[FILES_DIR, "/srv", "ro"]] as const,
  };
  const serves = async () => (await httpRequest(localFileUrl(""), { timeoutMs: 1000 })).body === page;
  let action = await ensureServiceContainer(spec);
  if (action === "kept" && !(await serves().catch(() => false))) {
    await docker(["rm", "-f", s.container]);
    action = await ensureServiceContainer(spec);
  }
  await waitUntil("reach the lab file server on 127.0.0.1:" + s.localPort, serves);
  return action;
}
