/** Host basics on a fresh lab host over SSH, verified with plain commands. */
import { cron, hostname, kernelModule, sysctl, timezone } from "../../../lib/tasks/system/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { TaskRunner, expectConverges } from "../../e2e/task-harness.js";

const lab = useLab({ name: "t-sys", count: 1 });
const SLOW = 60_000;
let runner: TaskRunner;

/** Run a plain command as root; fail the test when it fails. */
function sh(command: string): string {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`\`${command}\` failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  const h = lab().hosts[0]!;
  runner = new TaskRunner({ name: h.name, sshPort: h.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath });
});
afterAll(() => runner?.close());

test(
  "hostname sets the name live and in /etc/hostname, and makes it resolve through /etc/hosts; a re-run is one command",
  async () => {
    const state = () => runner.sh("hostname; cat /etc/hostname; grep -c '^127.0.1.1' /etc/hosts").stdout;
    expect(state()).toBe("t-sys1\nt-sys1\n0\n");
    await expectConverges(runner, hostname({ name: "web1.example.test" }), state);
    expect(sh("hostname; cat /etc/hostname; hostnamectl --static; getent hosts web1 web1.example.test")).toBe(
      "web1.example.test\nweb1.example.test\nweb1.example.test\n127.0.1.1       web1.example.test web1\n127.0.1.1       web1.example.test web1\n",
    );
    expect(sh("grep -n . /etc/hosts | head -n 2")).toBe("1:127.0.0.1\tlocalhost\n2:127.0.1.1\tweb1.example.test web1\n");
    // A new name replaces the line rather than adding another.
    expect((await runner.run(hostname({ name: "web2" }))).status).toBe("changed");
    expect(sh("hostname; grep '^127.0.1.1' /etc/hosts")).toBe("web2\n127.0.1.1\tweb2\n");
  },
  SLOW,
);

test(
  "timezone sets /etc/localtime (timedatectl) and /etc/timezone; a re-run is one command",
  async () => {
    const state = () => runner.sh("readlink /etc/localtime; cat /etc/timezone; date +%Z").stdout;
    expect(state()).toBe("/usr/share/zoneinfo/Etc/UTC\nEtc/UTC\nUTC\n");
    await expectConverges(runner, timezone({ name: "Asia/Tokyo" }), state);
    expect(state()).toMatch(/zoneinfo\/Asia\/Tokyo\nAsia\/Tokyo\nJST\n$/);
    expect(sh("timedatectl show -p Timezone --value")).toBe("Asia/Tokyo\n");
    const unknown = await runner.run(timezone({ name: "Mars/Olympus_Mons" }));
    expect(unknown.message).toMatch(
      /^Cannot set time zone Mars\/Olympus_Mons: \/usr\/share\/zoneinfo\/Mars\/Olympus_Mons does not exist\n/,
    );
  },
  SLOW,
);

test(
  "sysctl writes the key into /etc/sysctl.d/<name>.conf (the lab cannot apply sysctls live: /proc/sys is read-only there)",
  async () => {
    const file = "/etc/sysctl.d/60-bosun-test.conf";
    const state = () => runner.sh(`cat ${file} 2>&1`).stdout;
    await expectConverges(runner, sysctl({ key: "vm.swappiness", value: 10, name: "60-bosun-test", apply: false }), state);
    await expectConverges(runner, sysctl({ key: "net.ipv4.tcp_keepalive_time", value: 600, name: "60-bosun-test", apply: false }), state);
    expect(sh(`cat ${file}; stat -c '%a %U' ${file}`)).toBe("vm.swappiness = 10\nnet.ipv4.tcp_keepalive_time = 600\n644 root\n");
    // A changed value replaces its line; what the kernel would read at boot is the file.
    expect((await runner.run(sysctl({ key: "vm.swappiness", value: 20, name: "60-bosun-test", apply: false }))).status).toBe("changed");
    expect(sh(`cat ${file}`)).toBe("vm.swappiness = 20\nnet.ipv4.tcp_keepalive_time = 600\n");
    // Applying live is refused by this container's read-only /proc/sys, with a message that says so.
    const live = await runner.run(sysctl({ key: "vm.swappiness", value: 20, name: "60-bosun-test" }));
    expect(live.status).toBe("failed");
    expect(live.message).toMatch(
      /^Command failed with exit \d+: sysctl -q -w vm\.swappiness=20 .*\n(.*\n)*bosun: the kernel refused the live value \(\/proc\/sys read-only, as in a container\? then use apply: false\)$/,
    );
    await expectConverges(runner, sysctl({ key: "vm.swappiness", state: "absent", name: "60-bosun-test" }), state);
    expect(sh(`cat ${file}`)).toBe("net.ipv4.tcp_keepalive_time = 600\n");
  },
  SLOW,
);

test(
  "cron writes one job as /etc/cron.d/<name> (root, 0644), removes it with state absent; each re-run is one command",
  async () => {
    const file = "/etc/cron.d/bosun-backup";
    const state = () => runner.sh(`stat -c '%a %U %G' ${file} 2>&1; cat ${file} 2>/dev/null`).stdout;
    const call = cron({
      name: "bosun-backup",
      minute: "17",
      hour: "3",
      user: "nobody",
      job: "tar czf /tmp/etc-$(date +%F).tgz /etc",
      env: { MAILTO: "" },
    });
    await expectConverges(runner, call, state);
    expect(state()).toBe(
      `644 root root\n# cron job "bosun-backup", managed by bosun: edits here are overwritten\nMAILTO=""\n17 3 * * * nobody tar czf /tmp/etc-$(date +\\%F).tgz /etc\n`,
    );
    // cron is not installed on lab hosts: run the job line the way cron would (`\%` back to `%`, then /bin/sh).
    sh(`sed -n '$s/^\\([^ ]* \\)\\{6\\}//p' ${file} | sed 's/\\\\%/%/g' > /tmp/job && sh /tmp/job`);
    expect(sh("ls /tmp/etc-$(date +%F).tgz")).toBe(`/tmp/etc-${sh("date +%F").trim()}.tgz\n`);
    await expectConverges(runner, cron({ name: "bosun-backup", state: "absent" }), state);
    expect(state()).toMatch(/No such file/);
  },
  SLOW,
);

test("bad parameters are rejected before anything runs, naming the task and the parameter", () => {
  const before = runner.commands.length;
  expect(() => hostname({ name: "bad_name!" })).toThrow(/^Cannot use system\.hostname: parameter "name" must match pattern/);
  expect(() => timezone({ name: "Europe/../../etc/shadow" })).toThrow(/^Cannot use system\.timezone: parameter "name" must match pattern/);
  expect(() => sysctl({ key: "vm.swappiness", value: 10, file: "/etc/x" } as Parameters<typeof sysctl>[0])).toThrow(
    /^Cannot use system\.sysctl: unknown parameter "file"$/,
  );
  expect(() => cron({ name: "job", job: "true", weekday: "mon; reboot" })).toThrow(
    /^Cannot use system\.cron: parameter "weekday" must match pattern/,
  );
  expect(runner.commands.length).toBe(before);
});

test(
  "kernelModule lists a module for boot in /etc/modules-load.d (load: false: a container cannot load one); --check touches nothing, a re-run is one command",
  async () => {
    const state = () => runner.sh("cat /etc/modules-load.d/br_netfilter.conf 2>&1 || true").stdout;
    const { applied } = await expectConverges(runner, kernelModule({ name: "br_netfilter", load: false }), state);
    expect(applied.changed).toBe(true);
    expect(sh("cat /etc/modules-load.d/br_netfilter.conf")).toMatch(/^br_netfilter$/m);
    await expectConverges(runner, kernelModule({ name: "br_netfilter", state: "absent", load: false }), state);
    expect(sh("test -e /etc/modules-load.d/br_netfilter.conf && echo present || echo gone")).toBe("gone\n");
  },
  SLOW,
);
