import { existsSync } from "node:fs";
import path from "node:path";
import { removeContainers } from "./container.js";
import { ensureLabImage, imageExists } from "./image.js";
import { recipeHash } from "./image-recipe.js";
import { withLabLock } from "./lock.js";
import { runProcess } from "./process.js";

/** Repository (name without tag) of the CI runner stand-in image. */
export const RUNNER_IMAGE_REPO = "bosun-lab-runner";

/** The unprivileged user of the runner image, as GitHub's hosted runners run jobs (`runner`, uid 1001). */
export const RUNNER_USER = { name: "runner", uid: 1001, home: "/home/runner" } as const;

/** Where this machine's Node.js lives: the running binary and npm's package directory beside it. */
function hostNode(): { readonly node: string; readonly npm: string } {
  const node = process.execPath;
  const npm = path.join(path.dirname(node), "..", "lib", "node_modules", "npm");
  if (!existsSync(path.join(npm, "bin", "npm-cli.js"))) {
    throw new Error(`Cannot build the runner image: npm is not at ${npm} (beside ${node}); install Node.js 20 with its npm`);
  }
  return { node, npm: path.resolve(npm) };
}

/** Shell steps run in the base image: Node and npm where node:20-bookworm has them, and the `runner` user. */
const SETUP = [
  "set -eu",
  "install -m 0755 /opt/host-node/node /usr/local/bin/node",
  "mkdir -p /usr/local/lib/node_modules",
  "cp -a /opt/host-node/npm /usr/local/lib/node_modules/npm",
  "ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm",
  "ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx",
  `useradd --create-home --uid ${RUNNER_USER.uid} --shell /bin/bash ${RUNNER_USER.name}`,
  "node --version && npm --version >/dev/null && command -v ssh-agent ssh-add >/dev/null",
].join("\n");

/**
 * Make sure the CI runner stand-in image exists and return its tag: the lab's Debian 12 host image
 * with this machine's Node.js 20 and npm copied in (at /usr/local, as in `node:20-bookworm`; Debian
 * 12's own nodejs is 18) and a `runner` user. openssh-client (ssh-agent, ssh-add) comes with the
 * base image. Built once per base image and Node version (`docker commit` of a set-up container).
 */
export async function ensureRunnerImage(): Promise<string> {
  const base = await ensureLabImage({ variant: "fresh" });
  const { node, npm } = hostNode();
  const tag = `${RUNNER_IMAGE_REPO}:${recipeHash({ base, node: process.version, setup: SETUP })}`;
  if (await imageExists(tag)) return tag;
  return withLabLock("runner-image", async () => {
    if (await imageExists(tag)) return tag;
    const name = `bosun-lab-runner-build-${process.pid}`;
    await removeContainers([name]);
    try {
      // prettier-ignore
      // controller-tools: docker (a `docker run` of the base image running SETUP inside it)
      await runProcess([
        "docker", "run", "--name", name, "--entrypoint", "/bin/sh",
        "--volume", `${node}:/opt/host-node/node:ro`,
        "--volume", `${npm}:/opt/host-node/npm:ro`,
        base, "-c", SETUP,
      ]);
      await runProcess(["docker", "commit", "--change", "LABEL bosun.lab.runner=1", "--change", "ENV LANG=C.UTF-8", name, tag]);
    } finally {
      await removeContainers([name]);
    }
    return tag;
  });
}
