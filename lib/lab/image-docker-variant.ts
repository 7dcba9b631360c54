import { containerExec, removeContainers, systemdRunArgs, waitForBoot } from "./container.js";
import { recipeHash } from "./image-recipe.js";
import { runProcess } from "./process.js";
import { ensureComposePlugin } from "./services/compose-plugin.js";

/** /etc/docker/daemon.json written before docker.io is installed: the lab registry speaks plain HTTP. */
export const LAB_DAEMON_JSON = `${JSON.stringify({ "insecure-registries": ["registry.lab.test:5000"] }, null, 2)}\n`;

/** Per-host state left by the build that must not be shared by every host made from the image. */
const CLEANUP = [
  "systemctl stop docker.socket docker.service containerd.service",
  "rm -f /etc/docker/key.json /etc/ssh/ssh_host_* /var/lib/systemd/random-seed /var/lib/bosun-lab/first-boot-done",
  "rm -rf /var/lib/containerd/* /root/.ssh",
  "apt-get clean",
  "rm -rf /var/lib/apt/lists/*",
  "printf 'localhost\\n' > /etc/hostname",
  // systemd writes the machine id it made at first boot into /etc/machine-id: empty it again.
  ": > /etc/machine-id",
].join(" && ");

/** Short hash of what the `docker` variant adds to the base image, part of its tag. */
export function dockerVariantHash(): string {
  return recipeHash({
    packages: ["docker.io", "docker-compose-plugin (trixie .deb)"],
    daemonJson: LAB_DAEMON_JSON,
    cleanup: CLEANUP,
  }).slice(0, 6);
}

/**
 * Build the `docker` variant: boot `baseTag`, write daemon.json, `apt-get install docker.io`,
 * clean per-host state and `docker commit` as `tag`. /var/lib/docker and the journal are mounts
 * during the build, so the image carries neither and each host starts its engine on a fresh volume.
 */
export async function buildDockerVariant(baseTag: string, tag: string): Promise<void> {
  const name = `bosun-lab-build-${process.pid}`;
  const volume = `${name}-docker`;
  await removeContainers([name]);
  try {
    // controller-tools: docker (a `docker run`)
    await runProcess(systemdRunArgs({ name, image: baseTag, dockerVolume: volume, extra: ["--tmpfs", "/var/log/journal"] }));
    await waitForBoot(name);
    await containerExec(name, ["mkdir", "-p", "/etc/docker"]);
    await runProcess(["docker", "exec", "-i", name, "sh", "-c", "cat > /etc/docker/daemon.json"], { input: LAB_DAEMON_JSON });
    const apt = { DEBIAN_FRONTEND: "noninteractive" };
    await containerExec(name, ["apt-get", "update", "-qq"], { env: apt });
    await containerExec(name, ["apt-get", "install", "-y", "-qq", "docker.io"], { env: apt });
    // The compose v2 plugin (trixie's .deb, which needs only glibc): a docker host here is compose-ready.
    const { deb } = await ensureComposePlugin();
    await runProcess(["docker", "cp", deb, `${name}:/tmp/docker-compose-plugin.deb`]);
    await containerExec(name, [
      "sh",
      "-c",
      "dpkg -i /tmp/docker-compose-plugin.deb && rm -f /tmp/docker-compose-plugin.deb && docker compose version",
    ]);
    const driver = (await containerExec(name, ["docker", "info", "--format", "{{.Driver}}"])).trim();
    if (driver !== "overlay2") throw new Error(`Cannot build ${tag}: dockerd in the build host uses "${driver}", not overlay2`);
    await containerExec(name, ["sh", "-c", CLEANUP]);
    await runProcess(["docker", "stop", name]);
    await runProcess(["docker", "commit", "--change", "LABEL bosun.lab.variant=docker", name, tag]);
  } finally {
    await removeContainers([name]);
    await runProcess(["docker", "volume", "rm", "--force", volume], { allowFailure: true });
  }
}
