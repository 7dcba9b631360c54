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

  const probe = (system: string) =>
    `@@bosun:packages\n@@bosun:compose\n@@bosun:dockerd\n@@bosun:group\n@@bosun:users\ndeploy\n@@bosun:daemon\nabsent\n@@bosun:service\nenabled=\nactive=inactive\n@@bosun:system\n${system}\n@@bosun:repo\nabsent\n@@bosun:key\nabsent\n`;

  test("dockerRole() on a stock Debian 12 plans Docker's repository (the default there), with the role's tags", async () => {
    const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout: probe("amd64\nbookworm\ndebian\n12") }) });
    const { engine } = await dockerRole(host, { users: ["deploy"] });
    expect(engine).toMatchObject({ task: "docker.engine", status: "changed", title: "docker engine, compose v2, log rotation" });
    expect(engine.message).toBe(
      "install ca-certificates, curl; add Docker's apt repository and pin its packages; install docker-ce, docker-ce-cli, containerd.io, docker-buildx-plugin, docker-compose-plugin; add deploy to the docker group; write /etc/docker/daemon.json; enable docker; start docker",
    );
    expect(connection.executed).toHaveLength(1);
    expect(DOCKER_ROLE_DEFAULTS.tags).toEqual(["docker"]);
  });

  test("dockerRole() on a stock Debian 13 plans the distribution's docker.io and docker-compose (the default there)", async () => {
    const { host } = fakeHost({ check: true, respond: () => ({ stdout: probe("amd64\ntrixie\ndebian\n13") }) });
    const { engine } = await dockerRole(host, { users: ["deploy"] });
    expect(engine.message).toMatch(/^install docker\.io, docker-compose; add deploy/);
  });

  test("dockerRole() with source distro on Debian 12 fails at check time, naming the compose version apt would install", async () => {
    const policy = "@@bosun:policy\ndocker-compose:\n  Installed: (none)\n  Candidate: 1.29.2-3\n@@bosun:lists\n3\n";
    const { host, connection } = fakeHost({
      check: true,
      respond: (text) => ({ stdout: text.includes("apt-cache policy") ? policy : probe("amd64\nbookworm\ndebian\n12") }),
    });
    await expect(dockerRole(host, { source: "distro", users: ["deploy"] })).rejects.toThrow(
      /apt would install docker-compose 1\.29\.2-3, which is compose v1/,
    );
    expect(connection.executed).toHaveLength(2);
  });
});
