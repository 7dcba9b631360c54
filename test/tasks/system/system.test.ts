import { createHash } from "node:crypto";
import { hostname, hostsLine } from "../../../lib/tasks/system/hostname.js";
import { timezone } from "../../../lib/tasks/system/timezone.js";
import { sysctl, sysctlLinePattern } from "../../../lib/tasks/system/sysctl.js";
import { cron, renderCronFile } from "../../../lib/tasks/system/cron.js";
import { inlineWrite, INLINE_WRITE_LIMIT } from "../../../lib/tasks/system/inline-write.js";
import { fakeHost } from "../../support/host.js";

const snapshot = (content: string) =>
  `file\n${createHash("sha256").update(content).digest("hex")}\n${Buffer.from(content).toString("base64")}`;

async function plan<P>(call: { options: object } & P, stdout: string) {
  const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout }) });
  const result = await host.run({ ...(call as never as Parameters<typeof host.run>[0]), options: { ...call.options, ignoreErrors: true } });
  return { result, commands: connection.executed.length };
}

describe("hostname()", () => {
  test("the hosts line names the FQDN and the short name", () => {
    expect(hostsLine("app1.example.com")).toBe("127.0.1.1\tapp1.example.com app1");
    expect(hostsLine("app1")).toBe("127.0.1.1\tapp1");
  });

  const hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
  const probe = (current: string, file: string, h: string) =>
    `@@bosun:current\n${current}\n@@bosun:file\n${file}\n@@bosun:hosts\n${snapshot(h)}\n`;

  test("sets the name and adds the 127.0.1.1 line after localhost", async () => {
    const { result } = await plan(hostname({ name: "web1.example.test" }), probe("xsys1", "xsys1", hosts));
    expect(result.message).toBe("set hostname web1.example.test (was xsys1); /etc/hosts: line added");
  });

  test("replaces an old 127.0.1.1 line, and is ok when all agree", async () => {
    const old = "127.0.0.1\tlocalhost\n127.0.1.1\told\n";
    expect((await plan(hostname({ name: "web1" }), probe("web1", "web1", old))).result.message).toBe("/etc/hosts: line replaced");
    expect((await plan(hostname({ name: "web1" }), probe("web1", "web1", "127.0.1.1\tweb1\n"))).result.status).toBe("ok");
    expect((await plan(hostname({ name: "web1", hostsEntry: false }), probe("web1", "web1", old))).result.status).toBe("ok");
  });

  test("rejects names that are not host names", () => {
    expect(() => hostname({ name: "web_1" })).toThrow(/Cannot use system\.hostname: parameter "name" must match pattern/);
    expect(() => hostname({ name: "-web" })).toThrow(/parameter "name" must match pattern/);
  });
});

describe("timezone()", () => {
  const probe = (link: string, file: string | undefined, known = true) =>
    `@@bosun:link\n${link}\n@@bosun:file\n${file === undefined ? "" : `file ${file}`}\n@@bosun:known\n${known ? "yes" : "no"}\n@@bosun:timedatectl\nyes\n`;

  test("is ok when the link and /etc/timezone agree", async () => {
    expect(
      (await plan(timezone({ name: "Europe/Berlin" }), probe("/usr/share/zoneinfo/Europe/Berlin", "Europe/Berlin"))).result.status,
    ).toBe("ok");
    expect((await plan(timezone({ name: "Europe/Berlin" }), probe("/usr/share/zoneinfo/Europe/Berlin", undefined))).result.status).toBe(
      "ok",
    );
  });

  test("fixes a stale /etc/timezone alone", async () => {
    expect((await plan(timezone({ name: "Europe/Berlin" }), probe("../usr/share/zoneinfo/Europe/Berlin", "Etc/UTC"))).result.message).toBe(
      "set time zone Europe/Berlin (was Europe/Berlin, /etc/timezone Etc/UTC)",
    );
  });

  test("fails on a zone the host does not have", async () => {
    const { result } = await plan(timezone({ name: "Mars/Olympus" }), probe("/usr/share/zoneinfo/Etc/UTC", "Etc/UTC", false));
    expect(result.message).toMatch(/^Cannot set time zone Mars\/Olympus: \/usr\/share\/zoneinfo\/Mars\/Olympus does not exist/);
  });

  test("rejects names that could leave zoneinfo", () => {
    expect(() => timezone({ name: "../../etc/passwd" })).toThrow(/parameter "name" must match pattern/);
  });
});

describe("sysctl()", () => {
  const probe = (live: string, file: string | undefined) =>
    `@@bosun:live\n${live}\n@@bosun:file\n${file === undefined ? "absent" : snapshot(file)}\n`;

  test("matches the key's lines in any spacing, dots literal", () => {
    const re = new RegExp(sysctlLinePattern("net.ipv4.ip_forward"));
    expect(re.test("net.ipv4.ip_forward=1")).toBe(true);
    expect(re.test("  -net.ipv4.ip_forward = 0")).toBe(true);
    expect(re.test("net_ipv4_ip_forward=1")).toBe(false);
    expect(re.test("net.ipv4.ip_forward_update_priority = 1")).toBe(false);
  });

  test("writes the file and sets the live value, or only one of them", async () => {
    const task = sysctl({ key: "vm.swappiness", value: 10 });
    expect((await plan(task, probe("ok 60", undefined))).result.message).toBe(
      "/etc/sysctl.d/99-bosun.conf: line added; set vm.swappiness live (was 60)",
    );
    expect((await plan(task, probe("ok 60", "vm.swappiness = 10\n"))).result.message).toBe("set vm.swappiness live (was 60)");
    expect((await plan(task, probe("ok 10", "vm.swappiness=60\n"))).result.message).toBe("/etc/sysctl.d/99-bosun.conf: line replaced");
    expect((await plan(task, probe("ok 10", "vm.swappiness = 10\n"))).result.status).toBe("ok");
    expect(
      (await plan(sysctl({ key: "vm.swappiness", value: 10, apply: false }), probe("ok 60", "vm.swappiness = 10\n"))).result.status,
    ).toBe("ok");
  });

  test("compares multi-value keys with whitespace normalised", async () => {
    const task = sysctl({ key: "net.ipv4.ip_local_port_range", value: "1024   65000", apply: true });
    expect((await plan(task, probe("ok 1024\t65000", "net.ipv4.ip_local_port_range = 1024 65000\n"))).result.status).toBe("ok");
  });

  test("fails on a key the kernel does not have, unless apply is false", async () => {
    const missing = probe("error sysctl: cannot stat /proc/sys/vm/nosuch: No such file or directory", undefined);
    expect((await plan(sysctl({ key: "vm.nosuch", value: 1 }), missing)).result.message).toMatch(
      /^Cannot set vm\.nosuch: sysctl: cannot stat/,
    );
    expect((await plan(sysctl({ key: "vm.nosuch", value: 1, apply: false }), missing)).result.status).toBe("changed");
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => sysctl({ key: "vm.swappiness" })).toThrow(/Cannot use system\.sysctl: missing required parameter "value"/);
    expect(() => sysctl({ key: "vm.swappiness", value: "1\nkernel.x = 2" })).toThrow(/parameter "value"/);
    expect(() => sysctl({ key: "-a", value: 1 })).toThrow(/parameter "key" must match pattern/);
  });
});

describe("cron()", () => {
  test("renders one job per file, % escaped for cron", () => {
    expect(
      renderCronFile({ name: "bk", hour: "3", minute: "17", job: "date +%F >> /tmp/x", env: { MAILTO: "", PATH: "/usr/bin:/bin" } }),
    ).toBe(
      `# cron job "bk", managed by bosun: edits here are overwritten\nMAILTO=""\nPATH=/usr/bin:/bin\n17 3 * * * root date +\\%F >> /tmp/x\n`,
    );
    expect(renderCronFile({ name: "r", special: "@daily", user: "deploy", job: "true" })).toBe(
      `# cron job "r", managed by bosun: edits here are overwritten\n@daily deploy true\n`,
    );
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => cron({ name: "a.b", job: "true" })).toThrow(/Cannot use system\.cron: parameter "name" must match pattern/);
    expect(() => cron({ name: "a" })).toThrow(/missing required parameter "job"/);
    expect(() => cron({ name: "a", job: "x\ny" })).toThrow(/parameter "job" must be one line/);
    expect(() => cron({ name: "a", job: "x", special: "@daily", hour: "3" })).toThrow(/either parameter "special" or the schedule fields/);
    expect(() => cron({ name: "a", job: "x", minute: "1; rm" })).toThrow(/parameter "minute" must match pattern/);
  });
});

describe("inlineWrite()", () => {
  test("carries small content in the command, without stdin", () => {
    const c = inlineWrite("/etc/x", "hello\n", { mode: "0644" });
    expect(c.stdin).toBeUndefined();
    expect(c.text.startsWith(`printf %s ${Buffer.from("hello\n").toString("base64")} | base64 -d | (d=/etc/x;`)).toBe(true);
  });

  test("falls back to stdin for large content", () => {
    expect(inlineWrite("/etc/x", "x".repeat(INLINE_WRITE_LIMIT + 1)).stdin).toBeDefined();
  });
});

describe("inlineWrite() through a real sh", () => {
  test("installs binary content atomically and fails cleanly when the directory is missing", async () => {
    const { mkdtempSync, readFileSync, statSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { spawnSync } = await import("node:child_process");
    const dir = mkdtempSync(`${tmpdir()}/bosun-inline-`);
    try {
      const bytes = Buffer.from([0, 1, 2, 255, 10, 39, 34, 36]);
      // controller-tools: sh base64 cat chmod cut mktemp mv rm sha256sum (inlineWrite's command)
      const ok = spawnSync("sh", ["-c", inlineWrite(`${dir}/it's here`, bytes, { mode: "0640" }).text], { encoding: "utf8" });
      expect(ok.status).toBe(0);
      expect(readFileSync(`${dir}/it's here`).equals(bytes)).toBe(true);
      expect((statSync(`${dir}/it's here`).mode & 0o777).toString(8)).toBe("640");
      // controller-tools: sh base64 cat chmod cut mktemp mv rm sha256sum (inlineWrite's command)
      const bad = spawnSync("sh", ["-c", `${inlineWrite(`${dir}/nodir/x`, "x").text} && echo after`], { encoding: "utf8" });
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
