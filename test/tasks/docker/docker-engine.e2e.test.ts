/**
 * dockerEngine on a FRESH lab host over real SSH: the one test file that installs docker.io from
 * the Debian mirror (~15–20 s), with compose from a .deb: the offline option (composePluginDeb,
 * bootstrap's docker_compose_plugin_deb), which implies source "distro". Then, on the same host: daemon.json restarts docker only when it
 * changed, and a daemon.json docker refuses is rolled back. Every check uses plain ssh.
 */
import { servicesUp } from "../../../lib/lab/services/index.js";
import { dockerEngine } from "../../../lib/tasks/docker/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { labTarget, expectConverges, TaskRunner, type LabTarget } from "../../e2e/task-harness.js";

const lab = useLab({ name: "t-docker-engine", variant: "fresh" });
const SLOW = 240_000;
const LOGS = { "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } };

let target: LabTarget;
let runner: TaskRunner;
let composeDeb: string;
beforeAll(async () => {
  composeDeb = (await servicesUp()).composePlugin.url;
  const info = lab();
  target = labTarget(info);
  runner = new TaskRunner(target);
  sh("useradd -m -s /bin/sh deploy && useradd -m -s /bin/sh ci");
}, SLOW);
afterAll(async () => {
  await runner?.close();
});

const sh = (command: string): string => {
  const r = runner.sh(command);
  return `${r.stdout}${r.stderr}`;
};
/** dockerd's pid and start time: they change when, and only when, docker restarts. */
const dockerd = () => sh("systemctl show docker.service -p MainPID -p ActiveEnterTimestamp");
/** The log settings docker gives a new container (proves which daemon.json the running dockerd read). */
const containerLogConfig = (): string =>
  sh(
    "docker rm -f logprobe >/dev/null 2>&1; docker create --name logprobe bosun-test/empty:1 /none >/dev/null && docker inspect -f '{{json .HostConfig.LogConfig}}' logprobe; docker rm -f logprobe >/dev/null",
  );

describe("dockerEngine", () => {
  test(
    "dockerEngine() installs docker.io, compose v2 from a .deb (the offline option), the docker group member and daemon.json on a fresh host",
    async () => {
      const state = () =>
        sh(
          "dpkg-query -W -f '${Package} ${db:Status-Status}\\n' docker.io docker-compose 2>&1 | sort; id -nG deploy; cat /etc/docker/daemon.json 2>&1; systemctl is-enabled docker 2>&1; systemctl is-active docker 2>&1",
        );
      expect(state()).toMatch(/no packages found matching docker.io/);
      const call = dockerEngine({ composePluginDeb: composeDeb, users: ["deploy"], daemonJson: LOGS });
      const { applied } = await expectConverges(runner, call, state);
      expect(applied.output).toMatchObject({ restarted: false, composeVersion: expect.stringMatching(/^2\.\d+/) });
      expect(state()).toBe(
        `docker-compose installed\ndocker.io installed\ndeploy docker\n${JSON.stringify(LOGS, null, 2)}\nenabled\nactive\n`,
      );
      // The deploy user runs docker and compose v2 without sudo.
      expect(runner.sh("su - deploy -c 'docker info --format {{.LoggingDriver}} && docker compose version --short'").stdout).toMatch(
        /^json-file\n2\.\d+/,
      );
      sh("tar -cf /tmp/empty.tar -T /dev/null && docker import /tmp/empty.tar bosun-test/empty:1 >/dev/null");
      expect(containerLogConfig()).toBe('{"Type":"json-file","Config":{"max-file":"3","max-size":"10m"}}\n');
    },
    SLOW,
  );

  test(
    "dockerEngine() restarts docker only when daemon.json changed",
    async () => {
      const before = dockerd();
      // The same settings written differently: no change, no restart.
      sh(`printf '%s' '${JSON.stringify(LOGS)}' > /etc/docker/daemon.json`);
      const same = await runner.run(dockerEngine({ composePluginDeb: composeDeb, users: ["deploy"], daemonJson: LOGS }));
      expect(same).toMatchObject({ status: "ok", commands: 1 });
      // A new docker group member: changed, still no restart.
      const users = await runner.run(dockerEngine({ composePluginDeb: composeDeb, users: ["deploy", "ci"], daemonJson: LOGS }));
      expect(users).toMatchObject({ status: "changed", output: { restarted: false } });
      expect(sh("id -nG ci")).toBe("ci docker\n");
      expect(dockerd()).toBe(before);

      const bigger = { ...LOGS, "log-opts": { "max-size": "20m", "max-file": "5" } };
      const checked = await runner.run(dockerEngine({ users: ["deploy", "ci"], daemonJson: bigger }), { check: true });
      expect(checked.status).toBe("changed");
      expect(checked.diff).toContain('+    "max-size": "20m"');
      expect(dockerd()).toBe(before);
      expect(containerLogConfig()).toContain('"max-size":"10m"');

      const changed = await runner.run(dockerEngine({ users: ["deploy", "ci"], daemonJson: bigger }));
      expect(changed).toMatchObject({ status: "changed", commands: 2, output: { restarted: true } });
      expect(dockerd()).not.toBe(before);
      expect(containerLogConfig()).toBe('{"Type":"json-file","Config":{"max-file":"5","max-size":"20m"}}\n');
      const after = dockerd();
      const again = await runner.run(dockerEngine({ users: ["deploy", "ci"], daemonJson: bigger }));
      expect(again).toMatchObject({ status: "ok", commands: 1 });
      expect(dockerd()).toBe(after);
    },
    SLOW,
  );

  test(
    "dockerEngine() puts the previous daemon.json back when docker does not start with the new one",
    async () => {
      const file = sh("cat /etc/docker/daemon.json");
      const r = await runner.run(dockerEngine({ daemonJson: { "no-such-docker-option": true } }));
      expect(r.status).toBe("failed");
      expect(r.message).toMatch(/docker did not start with the new \/etc\/docker\/daemon.json; the previous one is back/);
      expect(r.message).toMatch(/no-such-docker-option/);
      expect(sh("cat /etc/docker/daemon.json")).toBe(file);
      expect(sh("systemctl is-active docker")).toBe("active\n");
      expect(sh("ls -A /etc/docker")).not.toContain("bosun-prev");
      expect(containerLogConfig()).toContain('"max-size":"20m"');
    },
    SLOW,
  );
});
