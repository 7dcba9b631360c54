/**
 * composeConfig, composePull, composeUp and composeDown on one `docker` lab host over real SSH,
 * with a project of two compose files and two env files pulling the demo app from the lab
 * registry. Every check of the host uses plain ssh (docker ps, curl from inside the host).
 */
import type { LabServices } from "../../../lib/lab/services/index.js";
import { composeConfig, composeDown, composePull, composeUp } from "../../../lib/tasks/docker/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, type TaskRunner } from "../../e2e/task-harness.js";
import { dockerLabHost, type DockerLabHost } from "./docker-lab.js";

const lab = useLab({ name: "t-docker-compose", variant: "docker" });
const SLOW = 180_000;
const DIR = "/srv/demo";
const PROJECT = { projectDir: DIR, files: ["compose.yaml", "compose.prod.yaml"], envFiles: [".env", "deploy.env"], projectName: "demo" };

const COMPOSE = `services:
  web:
    image: \${REGISTRY:?set REGISTRY}/demo/app:\${TAG:?set TAG}
    ports: ["8080:8080"]
`;
const PROD = `services:
  web:
    environment:
      APP_ENV: production
  worker:
    image: \${REGISTRY}/demo/app:\${TAG}
`;

let host: DockerLabHost;
let runner: TaskRunner;
let services: LabServices;
beforeAll(async () => {
  host = await dockerLabHost(lab(), { compose: true, login: true });
  ({ runner, services } = host);
  host.must(
    `mkdir -p ${DIR} && cd ${DIR} && cat > compose.yaml <<'EOF'\n${COMPOSE}EOF\ncat > compose.prod.yaml <<'EOF'\n${PROD}EOF\nprintf 'REGISTRY=${services.registry.address}\\n' > .env && printf 'TAG=v1\\n' > deploy.env`,
  );
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => host.sh(command);
const containers = () => sh("docker ps -a --format '{{.Names}} {{.ID}} {{.Image}} {{.State}}' | sort");
const images = () => sh("docker image ls --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort");

describe("composeConfig", () => {
  test(
    "composeConfig() is ok for a valid bundle in one command, in check mode too",
    async () => {
      expect(await runner.run(composeConfig(PROJECT))).toMatchObject({ status: "ok", commands: 1 });
      expect(await runner.run(composeConfig(PROJECT), { check: true })).toMatchObject({ status: "ok", commands: 1 });
    },
    SLOW,
  );

  test(
    "composeConfig() fails with compose's message for a missing variable and for a missing file",
    async () => {
      const noTag = await runner.run(composeConfig({ ...PROJECT, envFiles: [".env"] }));
      expect(noTag.status).toBe("failed");
      expect(noTag.message).toMatch(/Cannot validate compose project demo: .*set TAG/s);
      const noFile = await runner.run(composeConfig({ ...PROJECT, files: ["compose.yaml", "compose.staging.yaml"] }));
      expect(noFile.message).toMatch(/compose\.staging\.yaml/);
    },
    SLOW,
  );
});

describe("composePull, composeUp, composeDown", () => {
  test(
    "composePull() pulls the project's images; a second pull changes nothing",
    async () => {
      expect(images()).not.toContain("demo/app:v1");
      const { applied } = await expectConverges(runner, composePull(PROJECT), images);
      expect(applied.output).toEqual({ pulled: [services.images.app.v1] });
      expect(images()).toContain(`${services.registry.address}/demo/app:v1`);
    },
    SLOW,
  );

  test(
    "composeUp() starts the project (--wait) and the app answers; the same images again: ok in ONE command",
    async () => {
      const { applied, again } = await expectConverges(runner, composeUp({ ...PROJECT, wait: true, waitTimeout: 60 }), containers, {
        // The probe (dry run, ps), then ps-up-ps in one command; the converged run is the probe alone.
        maxApplyCommands: 2,
      });
      expect(applied.output).toMatchObject({ created: ["demo-web-1", "demo-worker-1"], recreated: [] });
      expect(again.output).toMatchObject({ created: [], recreated: [], removed: [], started: [] });
      expect(sh("curl -fsS http://127.0.0.1:8080/version")).toBe("v1\n");
      expect(sh("docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' demo-web-1")).toContain("APP_ENV=production");
      expect(await runner.run(composeUp({ ...PROJECT, wait: true }), { check: true })).toMatchObject({ status: "ok", commands: 1 });
    },
    SLOW,
  );

  test(
    "composeUp() with a new tag recreates the containers (check mode first changes nothing) and the new version answers",
    async () => {
      sh(`printf 'TAG=v2\\n' > ${DIR}/deploy.env`);
      const before = containers();
      const checked = await runner.run(composeUp({ ...PROJECT, wait: true }), { check: true });
      expect(checked.status).toBe("changed");
      expect(checked.message).toMatch(/^would recreate Container demo-web-1; recreate Container demo-worker-1$/);
      expect(containers()).toBe(before);
      expect(sh("curl -fsS http://127.0.0.1:8080/version")).toBe("v1\n");

      const up = await runner.run(composeUp({ ...PROJECT, wait: true }));
      expect(up).toMatchObject({ status: "changed", commands: 2, output: { recreated: ["demo-web-1", "demo-worker-1"] } });
      expect(sh("curl -fsS http://127.0.0.1:8080/version")).toBe("v2\n");
      expect(await runner.run(composeUp({ ...PROJECT, wait: true }))).toMatchObject({ status: "ok", commands: 1 });
    },
    SLOW,
  );

  test(
    "composeUp() removes orphans and starts a stopped container; services limits it to some services",
    async () => {
      sh("docker stop -t 1 demo-web-1 >/dev/null");
      const only = await runner.run(composeUp({ ...PROJECT, services: ["web"] }));
      expect(only).toMatchObject({ status: "changed", output: { started: ["demo-web-1"], removed: [] } });
      const orphan = await runner.run(composeUp({ ...PROJECT, files: ["compose.yaml"] }));
      expect(orphan).toMatchObject({ status: "changed", output: { removed: ["demo-worker-1"] } });
      expect(containers()).not.toContain("demo-worker-1");
    },
    SLOW,
  );

  test(
    "composeUp() fails when --wait sees a service that never gets healthy",
    async () => {
      sh(`printf 'TAG=broken\\n' > ${DIR}/deploy.env && cd ${DIR} && cat > compose.health.yaml <<'EOF'
services:
  web:
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/api/ready"]
      interval: 1s
      retries: 2
EOF`);
      const r = await runner.run(composeUp({ ...PROJECT, files: ["compose.yaml", "compose.health.yaml"], wait: true, waitTimeout: 30 }));
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/unhealthy|dependency failed|Error/i);
      sh(`printf 'TAG=v2\\n' > ${DIR}/deploy.env`);
    },
    SLOW,
  );

  test(
    "composeDown() removes the containers and network (check mode first changes nothing), volumes only when asked",
    async () => {
      sh(`cd ${DIR} && cat > compose.data.yaml <<'EOF'
services:
  web:
    volumes: ["data:/data"]
volumes:
  data: {}
EOF`);
      const withData = { ...PROJECT, files: ["compose.yaml", "compose.data.yaml"] };
      expect(await runner.run(composeUp(withData))).toMatchObject({ status: "changed" });
      const state = () =>
        `${containers()}${sh("docker network ls --format '{{.Name}}' | grep demo; docker volume ls --format '{{.Name}}' | grep demo")}`;
      expect(state()).toMatch(/demo-web-1[\s\S]*demo_default\ndemo_data\n/);
      const { applied } = await expectConverges(runner, composeDown(withData), state);
      expect(applied.output).toEqual({ containers: ["demo-web-1"], networks: ["demo_default"], volumes: [] });
      expect(state()).toBe("demo_data\n");
      const volumes = await runner.run(composeDown({ ...withData, volumes: true }));
      expect(volumes).toMatchObject({ status: "changed", output: { volumes: ["demo_data"] } });
      expect(state()).toBe("");
    },
    SLOW,
  );
});
