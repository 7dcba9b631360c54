/**
 * imagePrune on a `docker` lab host over real SSH. The images are made on the host with
 * `docker import` one after the other, so their creation order is known; plus the lab's app
 * images pulled from the registry. Every check uses plain ssh (`docker image ls`).
 */
import type { LabServices } from "../../../lib/lab/services/index.js";
import { imagePrune } from "../../../lib/tasks/docker/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, type TaskRunner } from "../../e2e/task-harness.js";
import { dockerLabHost, type DockerLabHost } from "./docker-lab.js";

const lab = useLab({ name: "t-docker-prune", variant: "docker" });
const SLOW = 120_000;
const REPO = "bosun.test/prune/api";
const OTHER = "bosun.test/prune/other";

let host: DockerLabHost;
let runner: TaskRunner;
let services: LabServices;
beforeAll(async () => {
  host = await dockerLabHost(lab(), { login: true });
  ({ runner, services } = host);
  // sha-1 (oldest) .. sha-5 (newest), an alias tag of sha-4, one tag of another repository; a stopped container uses sha-1.
  const imports = [1, 2, 3, 4, 5].map((n) => `docker import /tmp/empty.tar ${REPO}:sha-${n} >/dev/null`).join(" && ");
  host.must(
    `tar -cf /tmp/empty.tar -T /dev/null && ${imports} && docker tag ${REPO}:sha-4 ${REPO}:stable && docker import /tmp/empty.tar ${OTHER}:old >/dev/null && docker create --name uses-sha-1 ${REPO}:sha-1 /none >/dev/null`,
  );
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => host.sh(command);
const tags = () => sh("docker image ls --format '{{.Repository}}:{{.Tag}}' | grep bosun.test | sort");

describe("imagePrune", () => {
  test(
    "imagePrune() keeps the last N tags and the images in use, removes the other tags of that repository only",
    async () => {
      expect(tags()).toBe(
        [...["sha-1", "sha-2", "sha-3", "sha-4", "sha-5", "stable"].map((t) => `${REPO}:${t}`), `${OTHER}:old`].join("\n") + "\n",
      );
      const { checked, applied } = await expectConverges(runner, imagePrune({ repositories: [REPO], keep: 2 }), tags);
      // sha-4 and its alias `stable` share the second-newest image: the two newest tags are sha-5 and one of them.
      expect(checked.message).toBe(`would remove ${REPO}:sha-4, ${REPO}:sha-3, ${REPO}:sha-2`);
      expect(applied.output).toEqual({
        kept: [`${REPO}:sha-5`, `${REPO}:stable`, `${REPO}:sha-1`],
        removed: [`${REPO}:sha-4`, `${REPO}:sha-3`, `${REPO}:sha-2`],
      });
      expect(tags()).toBe(`${REPO}:sha-1\n${REPO}:sha-5\n${REPO}:stable\n${OTHER}:old\n`);
    },
    SLOW,
  );

  test(
    "imagePrune() keeps keepTags, and removes a tag once no container uses it",
    async () => {
      sh("docker rm uses-sha-1 >/dev/null");
      const r = await runner.run(imagePrune({ repositories: [REPO, OTHER], keep: 0, keepTags: ["stable"] }));
      expect(r).toMatchObject({ status: "changed", output: { removed: [`${REPO}:sha-5`, `${REPO}:sha-1`, `${OTHER}:old`] } });
      expect(tags()).toBe(`${REPO}:stable\n`);
    },
    SLOW,
  );

  test(
    "imagePrune() keeps the lab app image a running container uses and removes its other tags",
    async () => {
      const app = `${services.registry.address}/demo/app`;
      sh(`for t in v1 v2 v3; do docker pull -q ${app}:$t >/dev/null || exit 1; done; docker run -d --name web ${app}:v1 >/dev/null`);
      const r = await runner.run(imagePrune({ repositories: [app], keep: 0 }));
      expect(r.output?.kept).toEqual([`${app}:v1`]);
      expect(sh(`docker image ls --format '{{.Tag}}' ${app}`)).toBe("v1\n");
      expect(sh("docker inspect -f '{{.State.Running}}' web")).toBe("true\n");
    },
    SLOW,
  );
});
