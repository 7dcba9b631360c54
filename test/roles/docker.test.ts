import { dockerRole, dockerRoleDaemonJson, DOCKER_ROLE_DEFAULTS } from "../../roles/docker/index.js";
import { fakeHost } from "../support/host.js";

describe("role docker", () => {
  test("dockerRoleDaemonJson() rotates json-file logs by default and merges extra settings over them", () => {
    expect(dockerRoleDaemonJson()).toEqual({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "3" } });
    expect(dockerRoleDaemonJson({ logMaxSize: "50m", logMaxFiles: 5, daemonJson: { "insecure-registries": ["r:5000"] } })).toEqual({
      "log-driver": "json-file",
      "log-opts": { "max-size": "50m", "max-file": "5" },
      "insecure-registries": ["r:5000"],
    });
  });

  test("dockerRole() runs dockerEngine with the role's defaults and tags", async () => {
    const { host, connection } = fakeHost({
      check: true,
      respond: () => ({
        stdout:
          "@@bosun:packages\n@@bosun:compose\n@@bosun:group\n@@bosun:users\ndeploy\n@@bosun:daemon\nabsent\n@@bosun:service\nenabled=\nactive=inactive\n@@bosun:system\namd64\nbookworm\n@@bosun:repo\nabsent\n@@bosun:key\n",
      }),
    });
    const { engine } = await dockerRole(host, { users: ["deploy"] });
    expect(engine).toMatchObject({ task: "docker.engine", status: "changed", title: "docker engine, compose v2, log rotation" });
    expect(engine.message).toBe(
      "install docker.io, docker-compose; add deploy to the docker group; write /etc/docker/daemon.json; enable docker; start docker",
    );
    expect(connection.executed).toHaveLength(1);
    expect(DOCKER_ROLE_DEFAULTS.tags).toEqual(["docker"]);
  });
});
