/**
 * The `docker` lab variant: a host with docker.io preinstalled runs its own engine on a fresh
 * /var/lib/docker volume, separate from this machine's engine. Proven with plain commands.
 */
import { runProcess } from "../../lib/lab/process.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-dockervar", variant: "docker" });
const SLOW = 120_000;

test(
  "the docker variant runs its own engine on overlay2, with the lab registry allowed over HTTP",
  async () => {
    const h = lab().hosts[0]!;
    expect((await sshExec(h, "systemctl is-active docker containerd")).stdout).toBe("active\nactive\n");
    const info = await sshExec(h, "docker info --format '{{.Driver}} {{.ID}} {{json .RegistryConfig.IndexConfigs}}'");
    expect(info.stdout).toMatch(/^overlay2 /);
    expect(info.stdout).toContain('"registry.lab.test:5000"');
    const machineId = (await runProcess(["docker", "info", "--format", "{{.ID}}"])).stdout.trim();
    expect(info.stdout).not.toContain(machineId);
  },
  SLOW,
);

test(
  "a container started inside a host serves on that host, unseen by this machine's engine",
  async () => {
    const h = lab().hosts[0]!;
    await runProcess(["docker", "cp", "/bin/busybox", `${h.container}:/tmp/busybox`]);
    const build = [
      "set -e",
      "mkdir -p /tmp/img/bin /tmp/img/www",
      "cp /tmp/busybox /tmp/img/bin/busybox",
      "echo hello-from-inner > /tmp/img/www/index.html",
      "tar -C /tmp/img -c . | docker import - lab-probe:1 >/dev/null",
      "docker run -d --name lab-probe -p 8080:80 lab-probe:1 /bin/busybox httpd -f -p 80 -h /www >/dev/null",
      "for i in $(seq 50); do curl -sf http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1",
    ].join("\n");
    expect((await sshExec(h, build)).stdout).toBe("hello-from-inner\n");
    const onMachine = await runProcess(["docker", "ps", "--all", "--quiet", "--filter", "name=^lab-probe$"]);
    expect(onMachine.stdout).toBe("");
  },
  SLOW,
);
