/**
 * composeRun on a `docker` lab host over real SSH: the lab's migrator against the lab's postgres,
 * as a deploy runs it. Every check of the host uses plain ssh (psql inside the db container).
 */
import { secret } from "../../../lib/core/secrets.js";
import type { LabServices } from "../../../lib/lab/services/index.js";
import { composeRun } from "../../../lib/tasks/docker/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import type { TaskRunner } from "../../e2e/task-harness.js";
import { dockerLabHost, type DockerLabHost } from "./docker-lab.js";

const lab = useLab({ name: "t-docker-run", variant: "docker" });
const SLOW = 180_000;
const DIR = "/srv/app";
const PROJECT = { projectDir: DIR, projectName: "app" };

let host: DockerLabHost;
let runner: TaskRunner;
let services: LabServices;
beforeAll(async () => {
  host = await dockerLabHost(lab(), { compose: true, login: true });
  ({ runner, services } = host);
  host.must(`mkdir -p ${DIR} && cat > ${DIR}/compose.yaml <<'EOF'
services:
  db:
    image: ${services.images.postgres}
    environment: { POSTGRES_PASSWORD: dbpass }
  migrator:
    image: ${services.images.migrator.v1}
    environment: { PGHOST: db, PGPASSWORD: dbpass }
    depends_on: { db: { condition: service_healthy } }
    profiles: [tools]
EOF
cd ${DIR} && docker compose -p app pull -q && docker compose -p app up -d --wait db`);
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => host.sh(command);
const migrations = () =>
  sh(
    `cd ${DIR} && docker compose -p app exec -T db psql -U postgres -d app -tAc "select string_agg(version, ',') from schema_migrations" 2>&1`,
  );
const containers = () => sh("docker ps -a --format '{{.Names}}' | sort");

describe("composeRun", () => {
  test(
    "composeRun() in check mode runs nothing",
    async () => {
      const before = containers();
      const r = await runner.run(composeRun({ ...PROJECT, service: "migrator" }), { check: true });
      expect(r).toMatchObject({ status: "changed", commands: 0 });
      expect(migrations()).toMatch(/relation "schema_migrations" does not exist/);
      expect(containers()).toBe(before);
    },
    SLOW,
  );

  test(
    "composeRun() runs the migrator once, returns its exit code and stdout, and removes its container",
    async () => {
      const before = containers();
      const r = await runner.run(composeRun({ ...PROJECT, service: "migrator" }));
      expect(r).toMatchObject({ status: "changed", commands: 1, output: { exitCode: 0, stdout: "migrated to v1\n" } });
      expect(migrations()).toBe("v1\n");
      expect(containers()).toBe(before);
    },
    SLOW,
  );

  test(
    "composeRun() fails with the migrator's message when it exits non-zero, unless allowFailure",
    async () => {
      const failing = await runner.run(
        composeRun({ ...PROJECT, service: "migrator", env: { MIGRATE_FAIL: "1", MIGRATION_VERSION: "v2" } }),
      );
      expect(failing.status).toBe("failed");
      expect(failing.message).toMatch(/Cannot run migrator of compose project app: exit 1\n.*Cannot migrate to v2: failing on purpose/s);
      const allowed = await runner.run(composeRun({ ...PROJECT, service: "migrator", env: { MIGRATE_FAIL: "1" }, allowFailure: true }));
      expect(allowed).toMatchObject({ status: "changed", output: { exitCode: 1, stdout: "" } });
      expect(migrations()).toBe("v1\n");
    },
    SLOW,
  );

  test(
    "composeRun() passes a command, and Secret env values on stdin (never in the command line)",
    async () => {
      const r = await runner.run(
        composeRun({
          ...PROJECT,
          service: "migrator",
          entrypoint: "sh",
          command: ["-c", 'echo "$MIGRATION_VERSION:$TOKEN"'],
          env: { MIGRATION_VERSION: "v9", TOKEN: secret("tok-e2e-7781") },
        }),
      );
      // The container printed the secret it got on stdin; the typed output masks it like every output.
      expect(r.output).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^v9:\*\*\*\n?$/) });
      expect(runner.commands.join("\n")).not.toContain("tok-e2e-7781");
    },
    SLOW,
  );

  test("composeRun() rejects bad params before anything runs", () => {
    expect(() => composeRun({ ...PROJECT, service: "migrator", env: { "1BAD": "x" } })).toThrow(
      /docker\.composeRun: parameter "env" has an invalid variable name "1BAD"/,
    );
  });
});
