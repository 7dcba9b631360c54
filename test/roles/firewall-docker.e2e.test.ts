/**
 * The firewall role keeps ufw's `deny incoming` true for ports docker publishes (which bypass ufw's
 * INPUT rules: docker's NAT sends them through FORWARD). On a lab host with docker, a compose
 * project publishes 8081 and 8082 on 0.0.0.0; nginx on the host is the front door on 80. Proven
 * from the second lab host with plain curl: before bosun's filter a published port is open to
 * all (what a VPS gets with ufw alone), after it only ufw's allow list is; `ufwAllow` opens one
 * port; loopback, the front door, containers' own connections and a docker restart keep working;
 * `dockerFilter: false` takes the filter out again.
 */
import { firewallRole, type FirewallRoleInput } from "../../roles/firewall/index.js";
import { runProcess } from "../../lib/lab/process.js";
import { ufwAllow } from "../../lib/tasks/ufw/index.js";
import { useLab } from "../e2e/lab-fixture.js";
import { TaskRunner, type LabTarget, labTarget } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-fw-docker", count: 2, variant: "docker" });
const SLOW = 300_000;
let fw: TaskRunner;
let other: TaskRunner;

const target = (i: number): LabTarget => labTarget(lab(), i);
/** HTTP status the other host gets from a port of the firewalled host ("000": no answer). */
const status = (port: number) =>
  other.sh(`curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 http://${lab().hosts[0]!.ip}:${port}/`).stdout;
/** The same from the firewalled host itself, over loopback. */
const loopback = (port: number) =>
  fw.sh(`curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 --max-time 4 http://127.0.0.1:${port}/`).stdout;
/** Whether a container on the firewalled host can open a connection to the other host (its own traffic). */
const outbound = () =>
  fw.sh(`cd /srv/probe && docker compose exec -T web /bin/busybox wget -q -O - http://${lab().hosts[1]!.ip}:9999/marker.txt`).stdout;
const input: FirewallRoleInput = {};
const changes = (results: readonly { status: string; task: string; message?: string }[]) =>
  results.filter((r) => r.status !== "ok").map((r) => `${r.task}: ${r.message}`);

const COMPOSE = `services:
  web:
    image: lab-probe:1
    command: ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["8081:80"]
    restart: unless-stopped
  other:
    image: lab-probe:1
    command: ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["8082:80"]
    restart: unless-stopped
`;

beforeAll(async () => {
  fw = new TaskRunner(target(0));
  other = new TaskRunner(target(1));
  const container = lab().hosts[0]!.container;
  await runProcess(["docker", "cp", "/bin/busybox", `${container}:/tmp/busybox`]);
  const setup = fw.sh(
    [
      "set -e",
      "mkdir -p /tmp/img/bin /tmp/img/www /srv/probe",
      "cp /tmp/busybox /tmp/img/bin/busybox",
      "echo probe > /tmp/img/www/index.html",
      "tar -C /tmp/img -c . | docker import - lab-probe:1 >/dev/null",
      "cat > /srv/probe/compose.yaml",
      "cd /srv/probe && docker compose up -d --quiet-pull >/dev/null 2>&1",
      "DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1",
      "systemctl is-active nginx",
    ].join("\n"),
    COMPOSE,
  );
  if (setup.code !== 0) throw new Error(`cannot set up the docker host: ${setup.stderr}`);
  const listener = other.sh(
    "mkdir -p /tmp/www && echo outbound-ok > /tmp/www/marker.txt && systemd-run --unit=web9999 python3 -m http.server 9999 --directory /tmp/www >/dev/null 2>&1",
  );
  if (listener.code !== 0) throw new Error(`cannot start a listener on the other host: ${listener.stderr}`);
}, SLOW);
afterAll(async () => {
  await fw?.close();
  await other?.close();
});

describe("role firewall with docker", () => {
  test(
    "without bosun's filter a port compose publishes on 0.0.0.0 is open to all, whatever ufw says",
    async () => {
      expect([status(8081), status(8082), status(80)]).toEqual(["200", "200", "200"]);
      const results = await firewallRole({ run: (call) => fw.run(call) }, { ...input, dockerFilter: false });
      expect(results.some((r) => r.failed)).toBe(false);
      expect(fw.sh("ufw status | head -1").stdout).toBe("Status: active\n");
      expect([status(8081), status(8082)]).toEqual(["200", "200"]);
    },
    SLOW,
  );

  test(
    "firewallRole() filters published ports by ufw's rules: 8081/8082 unreachable, front door, loopback and containers' own traffic work; a second run changes nothing",
    async () => {
      const results = await firewallRole({ run: (call) => fw.run(call) }, input);
      expect(results.filter((r) => r.changed).map((r) => r.task)).toEqual([
        "files.ensureFile",
        "services.systemdUnit",
        "services.systemdUnit",
        "ufw.dockerFilter",
      ]);
      expect([status(8081), status(8082), status(80)]).toEqual(["000", "000", "200"]);
      expect([loopback(8081), loopback(8082)]).toEqual(["200", "200"]);
      expect(outbound()).toBe("outbound-ok\n");
      const again = await firewallRole({ run: (call) => fw.run(call) }, input);
      expect(changes(again)).toEqual([]);
    },
    SLOW,
  );

  test(
    "ufwAllow({ port: 8081 }) opens that published port at once, and only that one",
    async () => {
      const r = await fw.run(ufwAllow({ port: 8081, proto: "tcp" }));
      expect(r).toMatchObject({ changed: true, failed: false });
      expect([status(8081), status(8082)]).toEqual(["200", "000"]);
    },
    SLOW,
  );

  test(
    "after docker restarts (its chains rebuilt) the filter is back before anyone asks",
    async () => {
      expect(fw.sh("systemctl restart docker && systemctl is-active docker bosun-ufw-docker.path").stdout).toBe("active\nactive\n");
      expect(fw.sh("cd /srv/probe && docker compose ps --format '{{.Service}} {{.State}}' | sort").stdout).toBe(
        "other running\nweb running\n",
      );
      expect([status(8081), status(8082), status(80)]).toEqual(["200", "000", "200"]);
    },
    SLOW,
  );

  test(
    "dockerFilter: false takes the filter out (published ports bypass ufw again), and that is idempotent too",
    async () => {
      const off = await firewallRole({ run: (call) => fw.run(call) }, { ...input, dockerFilter: false });
      expect(off.filter((r) => r.changed).map((r) => r.task)).toEqual([
        "services.systemdUnit",
        "services.systemdUnit",
        "ufw.dockerFilter",
        "files.ensureAbsent",
      ]);
      expect(fw.sh("iptables-save -t filter | grep -c bosun-ufw-docker; ls /usr/local/sbin/bosun-ufw-docker 2>&1").stdout).toMatch(
        /^0\n.*No such file or directory\n$/,
      );
      expect([status(8081), status(8082)]).toEqual(["200", "200"]);
      const again = await firewallRole({ run: (call) => fw.run(call) }, { ...input, dockerFilter: false });
      expect(changes(again)).toEqual([]);
    },
    SLOW,
  );
});
