import {
  fileSnapshotCommand,
  hostnameState,
  normaliseSysctl,
  parseFileSnapshot,
  sysctlState,
  timezoneState,
  zoneFromLink,
} from "../../lib/facts/system.js";

const ok = (stdout: string) => ({ code: 0, stdout, stderr: "", durationMs: 1 });
const SHA = "a".repeat(64);

describe("file snapshots", () => {
  test("read a file's checksum and base64 content", () => {
    expect(parseFileSnapshot(["file", SHA, Buffer.from("x=1\n").toString("base64")])).toEqual({
      kind: "file",
      sha256: SHA,
      content: Buffer.from("x=1\n"),
    });
    expect(parseFileSnapshot(["file", SHA])).toEqual({ kind: "file", sha256: SHA });
    expect(parseFileSnapshot(["file", SHA, ""])).toEqual({ kind: "file", sha256: SHA, content: Buffer.alloc(0) });
  });

  test("tell absent from other (links, directories)", () => {
    expect(parseFileSnapshot(["absent"])).toEqual({ kind: "absent" });
    expect(parseFileSnapshot(["other"])).toEqual({ kind: "other" });
  });

  test("fail when the checksum is missing (unreadable file)", () => {
    expect(() => parseFileSnapshot(["file", ""])).toThrow(/no checksum/);
  });

  test("quote the path", () => {
    expect(fileSnapshotCommand("/etc/a b", false).text).toMatch(/^p='\/etc\/a b'; /);
  });
});

describe("hostnameState", () => {
  test("reads hostname, /etc/hostname and /etc/hosts", () => {
    const hosts = "127.0.0.1\tlocalhost\n";
    const stdout = `@@bosun:current\nxsys1\n@@bosun:file\nold\n@@bosun:hosts\nfile\n${SHA}\n${Buffer.from(hosts).toString("base64")}\n`;
    expect(hostnameState.parse(ok(stdout), undefined)).toEqual({ current: "xsys1", file: "old", hosts: { content: hosts, sha256: SHA } });
  });
});

describe("timezoneState", () => {
  test("takes the zone from the /etc/localtime link", () => {
    expect(zoneFromLink("/usr/share/zoneinfo/Etc/UTC")).toBe("Etc/UTC");
    expect(zoneFromLink("../usr/share/zoneinfo/Europe/Berlin")).toBe("Europe/Berlin");
    expect(zoneFromLink("/usr/share/zoneinfo/posix/Europe/Berlin")).toBe("Europe/Berlin");
    expect(zoneFromLink("/etc/some-file")).toBeUndefined();
  });

  test("reads the link, /etc/timezone, whether the zone exists and whether timedatectl works", () => {
    const stdout = "@@bosun:link\n/usr/share/zoneinfo/Etc/UTC\n@@bosun:file\nfile Etc/UTC\n@@bosun:known\nyes\n@@bosun:timedatectl\nno\n";
    expect(timezoneState.parse(ok(stdout), "Europe/Berlin")).toEqual({
      localtime: "Etc/UTC",
      timezoneFile: "Etc/UTC",
      known: true,
      timedatectl: false,
    });
    const none = "@@bosun:link\n@@bosun:file\n@@bosun:known\nno\n@@bosun:timedatectl\nyes\n";
    expect(timezoneState.parse(ok(none), "X/Y")).toEqual({
      localtime: undefined,
      timezoneFile: undefined,
      known: false,
      timedatectl: true,
    });
  });
});

describe("sysctlState", () => {
  test("normalises whitespace of multi-value keys", () => {
    expect(normaliseSysctl("32768\t60999")).toBe("32768 60999");
    expect(normaliseSysctl(1)).toBe("1");
  });

  test("reads the live value and the drop-in", () => {
    const stdout = `@@bosun:live\nok 32768\t60999\n@@bosun:file\nabsent\n`;
    expect(sysctlState.parse(ok(stdout), { key: "net.ipv4.ip_local_port_range", file: "/etc/sysctl.d/99-bosun.conf" })).toEqual({
      live: "32768 60999",
      file: { kind: "absent" },
    });
  });

  test("says why the live value is unreadable", () => {
    const stdout = `@@bosun:live\nerror sysctl: cannot stat /proc/sys/net/nosuch: No such file or directory\n@@bosun:file\nabsent\n`;
    expect(sysctlState.parse(ok(stdout), { key: "net.nosuch", file: "/f" }).liveError).toBe(
      "sysctl: cannot stat /proc/sys/net/nosuch: No such file or directory",
    );
  });
});
