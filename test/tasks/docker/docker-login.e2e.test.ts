/**
 * dockerLogin against the lab registry (htpasswd auth) on a `docker` lab host over real SSH:
 * refused without login, then dockerLogin + composeUp pull with auth and the app answers.
 * Every check of the host uses plain ssh.
 */
import { secret } from "../../../lib/core/secrets.js";
import type { LabServices } from "../../../lib/lab/services/index.js";
import { composeUp, dockerLogin } from "../../../lib/tasks/docker/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, type TaskRunner } from "../../e2e/task-harness.js";
import { dockerLabHost, type DockerLabHost } from "./docker-lab.js";

const lab = useLab({ name: "t-docker-login", variant: "docker" });
const SLOW = 180_000;

let host: DockerLabHost;
let runner: TaskRunner;
let services: LabServices;
beforeAll(async () => {
  host = await dockerLabHost(lab(), { compose: true });
  ({ runner, services } = host);
  host.must("useradd -m -s /bin/sh -G docker deploy");
  host.must(
    `mkdir -p /srv/demo && printf 'services:\\n  web:\\n    image: ${services.images.app.v1}\\n    ports: ["8080:8080"]\\n' > /srv/demo/compose.yaml`,
  );
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => host.sh(command);
const login = () =>
  dockerLogin({ registry: services.registry.address, username: services.registry.username, password: secret(services.registry.password) });

describe("dockerLogin", () => {
  test(
    "without a login the lab registry refuses the pull, and composeUp fails",
    async () => {
      const pull = runner.sh(`docker pull ${services.images.app.v1}`);
      expect(pull.code).toBe(1);
      expect(pull.stderr).toMatch(/no basic auth credentials/);
      const r = await runner.run(composeUp({ projectDir: "/srv/demo", wait: true }));
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/no basic auth credentials/);
    },
    SLOW,
  );

  test(
    "dockerLogin() stores the login in /root/.docker/config.json (0600); composeUp then pulls and the app answers",
    async () => {
      const state = () => sh("stat -c '%a %U' /root/.docker/config.json 2>&1; cat /root/.docker/config.json 2>&1 | sha256sum");
      const { applied, again } = await expectConverges(runner, login(), state);
      expect(sh("stat -c '%a %U' /root/.docker/config.json")).toBe("600 root\n");
      const auth = JSON.parse(sh("cat /root/.docker/config.json")).auths[services.registry.address].auth;
      expect(Buffer.from(auth, "base64").toString()).toBe(`${services.registry.username}:${services.registry.password}`);
      // Secret by nature: no output, no diff, and the password never went into a command line.
      for (const r of [applied, again]) expect(r.diff).toBeUndefined();
      expect(runner.commands.join("\n")).not.toContain(services.registry.password);
      expect(runner.commands.join("\n")).not.toContain(auth);

      const up = await runner.run(composeUp({ projectDir: "/srv/demo", wait: true }));
      expect(up).toMatchObject({ status: "changed", output: { created: ["demo-web-1"] } });
      expect(sh("curl -fsS http://127.0.0.1:8080/version")).toBe("v1\n");
    },
    SLOW,
  );

  test(
    "dockerLogin() logs in again when the stored credential differs, and fixes a loose file mode alone",
    async () => {
      sh(
        `printf '{"auths":{"${services.registry.address}":{"auth":"%s"}}}' "$(printf 'lab:old' | base64)" > /root/.docker/config.json && chmod 644 /root/.docker/config.json`,
      );
      const relog = await runner.run(login());
      expect(relog.status).toBe("changed");
      expect(sh("stat -c %a /root/.docker/config.json")).toBe("600\n");
      expect(sh(`docker pull -q ${services.images.app.v2}`)).toBe(`${services.images.app.v2}\n`);
      sh("chmod 640 /root/.docker/config.json");
      const mode = await runner.run(login());
      expect(mode).toMatchObject({ status: "changed", commands: 2 });
      expect(sh("stat -c %a /root/.docker/config.json")).toBe("600\n");
      expect(await runner.run(login())).toMatchObject({ status: "ok", commands: 1 });
    },
    SLOW,
  );

  test(
    "dockerLogin() with configDir and owner logs a user in on their behalf",
    async () => {
      const call = dockerLogin({
        registry: services.registry.address,
        username: services.registry.username,
        password: services.registry.password,
        configDir: "/home/deploy/.docker",
        owner: "deploy",
      });
      await expectConverges(runner, call, () => sh("stat -c '%a %U' /home/deploy/.docker /home/deploy/.docker/config.json 2>&1"));
      expect(sh("stat -c '%a %U' /home/deploy/.docker/config.json")).toBe("600 deploy\n");
      expect(sh(`su - deploy -c 'docker pull -q ${services.images.app.v3}'`)).toBe(`${services.images.app.v3}\n`);
    },
    SLOW,
  );

  test(
    "dockerLogin() with a wrong password fails and keeps the stored login",
    async () => {
      const before = sh("sha256sum /root/.docker/config.json");
      const r = await runner.run(
        dockerLogin({ registry: services.registry.address, username: services.registry.username, password: "wrong-password" }),
      );
      expect(r.status).toBe("failed");
      expect(sh("sha256sum /root/.docker/config.json")).toBe(before);
    },
    SLOW,
  );
});
