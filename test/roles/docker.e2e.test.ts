/**
 * Role `docker` on a `docker` lab host over real SSH: engine, compose v2, log rotation, the deploy
 * user in the docker group. First run converges, second run changes nothing, --check first
 * changes nothing. Every check of the host uses plain ssh.
 */
import { servicesUp, type LabServices } from "../../lib/lab/services/index.js";
import { dockerRole, type DockerRoleInput } from "../../roles/docker/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { labTarget, TaskRunner, type LabTarget } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-role-docker", variant: "docker" });
const SLOW = 180_000;

let target: LabTarget;
let runner: TaskRunner;
let services: LabServices;
beforeAll(async () => {
  services = await servicesUp();
  const info = lab();
  target = labTarget(info);
  runner = new TaskRunner(target);
  sh("useradd -m -s /bin/sh deploy");
  // The docker lab variant ships the compose plugin; remove it so the role proves it installs it.
  sh("dpkg -r docker-compose >/dev/null 2>&1; true");
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => {
  const r = runner.sh(command);
  return `${r.stdout}${r.stderr}`;
};
const state = () =>
  sh(
    "cat /etc/docker/daemon.json; id -nG deploy; (docker compose version --short 2>/dev/null || echo no compose); systemctl show docker -p MainPID",
  );
const input = (): DockerRoleInput => ({
  users: ["deploy"],
  composePluginDeb: services.composePlugin.url,
  daemonJson: { "insecure-registries": [services.registry.address] },
});

describe("role docker", () => {
  test(
    "dockerRole() converges a docker host: --check changes nothing, the first run does, the second changes nothing",
    async () => {
      const before = state();
      expect(before).toMatch(/\nno compose\n/);
      const checked = await dockerRole({ run: (call) => runner.run(call, { check: true }) }, input());
      expect(checked.engine.status).toBe("changed");
      expect(state()).toBe(before);

      const first = await dockerRole({ run: (call) => runner.run(call) }, input());
      expect(first.engine).toMatchObject({ status: "changed", output: { restarted: true } });
      expect(JSON.parse(sh("cat /etc/docker/daemon.json"))).toEqual({
        "log-driver": "json-file",
        "log-opts": { "max-size": "10m", "max-file": "3" },
        "insecure-registries": [services.registry.address],
      });
      expect(sh("su - deploy -c 'docker compose version --short && docker info --format {{.LoggingDriver}}'")).toMatch(
        /^2\.\d+.*\njson-file\n$/,
      );
      const after = state();

      const second = await dockerRole({ run: (call) => runner.run(call) }, input());
      expect(second.engine).toMatchObject({ status: "ok", commands: 1 });
      expect(state()).toBe(after);
      // The lab registry still works through the merged daemon.json.
      runner.sh(`docker login -u ${services.registry.username} --password-stdin ${services.registry.address}`, services.registry.password);
      expect(sh(`docker pull -q ${services.images.app.v1}`)).toBe(`${services.images.app.v1}\n`);
    },
    SLOW,
  );
});
