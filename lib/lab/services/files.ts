import { mkdirSync } from "node:fs";
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

/** Start (or keep) `files.lab.test`, serving {@link FILES_DIR} read-only, and wait until it answers. */
export async function ensureFileServer(): Promise<ContainerAction> {
  mkdirSync(FILES_DIR, { recursive: true });
  const s = SERVICES.files;
  const action = await ensureServiceContainer({
    name: s.container,
    service: "files",
    image: await buildImage(FILES_RECIPE),
    aliases: [s.host],
    ports: [[s.localPort, s.port]],
    mounts: [[FILES_DIR, "/srv", "ro"]],
  });
  await waitUntil("reach the lab file server on 127.0.0.1:" + s.localPort, async () => {
    const status = (await httpRequest(localFileUrl(""), { timeoutMs: 1000 })).status;
    return status > 0 && status < 500;
  });
  return action;
}
