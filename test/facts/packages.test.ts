import {
  aptState,
  aptUpgradable,
  parseAptPolicy,
  parseAptSimulation,
  parseAptSummary,
  parseCacheAge,
  parseDpkgQuery,
  parseSetUp,
} from "../../lib/facts/packages.js";

const ok = (stdout: string) => ({ code: 0, stdout, stderr: "", durationMs: 1 });

describe("parseDpkgQuery()", () => {
  test("reads installed, config-only and half-installed packages", () => {
    const out = parseDpkgQuery(
      "bash\tinstall ok installed\t5.2.15-2+b13\nsl\tdeinstall ok config-files\t5.02-1+b1\nfoo\tinstall reinstreq half-installed\t1.0\ncurl\thold ok installed\t7.88.1-10\n",
    );
    expect(out.get("bash")).toEqual({
      name: "bash",
      status: "install ok installed",
      version: "5.2.15-2+b13",
      installed: true,
      configOnly: false,
    });
    expect(out.get("sl")).toMatchObject({ installed: false, configOnly: true });
    expect(out.get("foo")).toMatchObject({ installed: false, configOnly: false });
    expect(out.get("curl")).toMatchObject({ installed: true, version: "7.88.1-10" });
  });

  test("keeps the installed architecture of a multi-arch package", () => {
    const out = parseDpkgQuery("libc6\tinstall ok installed\t2.36-9\nlibc6\tunknown ok not-installed\t\n");
    expect(out.get("libc6")).toMatchObject({ installed: true, version: "2.36-9" });
  });

  test("ignores blank and malformed lines (dpkg prints nothing for unknown names)", () => {
    expect(parseDpkgQuery("\n\nnot a dpkg line\n").size).toBe(0);
  });
});

describe("parseAptPolicy()", () => {
  const sample = [
    "sl:",
    "  Installed: (none)",
    "  Candidate: 5.02-1+b1",
    "  Version table:",
    "     5.02-1+b1 500",
    "        500 http://deb.debian.org/debian bookworm/main amd64 Packages",
    "bash:",
    "  Installed: 5.2.15-2+b13",
    "  Candidate: 5.2.15-2+b13",
    "  Version table:",
    " *** 5.2.15-2+b13 500",
    "        100 /var/lib/dpkg/status",
    "ghost:",
    "  Installed: (none)",
    "  Candidate: (none)",
    "  Version table:",
    "",
  ].join("\n");

  test("reads installed and candidate versions, (none) as undefined", () => {
    const out = parseAptPolicy(sample);
    expect(out.get("sl")).toEqual({ installed: undefined, candidate: "5.02-1+b1" });
    expect(out.get("bash")).toEqual({ installed: "5.2.15-2+b13", candidate: "5.2.15-2+b13" });
    expect(out.get("ghost")).toEqual({ installed: undefined, candidate: undefined });
    expect(out.has("nosuch")).toBe(false);
  });
});

describe("parseAptSimulation()", () => {
  test("reads upgrades, new packages and removals, and ignores Conf lines", () => {
    const out = parseAptSimulation(
      [
        "Reading package lists...",
        "Inst libssh2-1 [1.10.0-3+b1] (1.10.0-3+deb12u1 Debian-Security:12/oldstable-security [amd64])",
        "Inst xz-utils (5.4.1-1+deb12u2 Debian-Security:12/oldstable-security [amd64])",
        "Remv oldpkg [1.0]",
        "Conf libssh2-1 (1.10.0-3+deb12u1 Debian-Security:12/oldstable-security [amd64])",
      ].join("\n"),
    );
    expect(out).toEqual([
      { action: "install", name: "libssh2-1", from: "1.10.0-3+b1", to: "1.10.0-3+deb12u1" },
      { action: "install", name: "xz-utils", from: undefined, to: "5.4.1-1+deb12u2" },
      { action: "remove", name: "oldpkg", from: "1.0" },
    ]);
  });

  test("is empty when nothing would change", () => {
    expect(parseAptSimulation("Reading package lists...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")).toEqual([]);
  });
});

describe("parseAptSummary()", () => {
  test("sums the summary lines of several apt-get runs", () => {
    const out = parseAptSummary(
      "x\n1 upgraded, 2 newly installed, 0 to remove and 3 not upgraded.\ny\n0 upgraded, 0 newly installed, 4 to remove and 3 not upgraded.\n",
    );
    expect(out).toEqual({ upgraded: 1, installed: 2, removed: 4 });
  });

  test("is undefined when apt printed no summary", () => {
    expect(parseAptSummary("Hit:1 http://deb.debian.org/debian bookworm InRelease\n")).toBeUndefined();
  });
});

describe("parseCacheAge()", () => {
  test("prefers the update-success stamp over the lists directory", () => {
    expect(parseCacheAge(["1000", "900", "990", "7"])).toEqual({ hasLists: true, ageSeconds: 100 });
  });

  test("falls back to the lists directory without a stamp", () => {
    expect(parseCacheAge(["1000", "-", "990", "7"])).toEqual({ hasLists: true, ageSeconds: 10 });
  });

  test("says never fetched when there is no Packages list, whatever the directory's mtime", () => {
    expect(parseCacheAge(["1000", "-", "999", "0"])).toEqual({ hasLists: false });
  });
});

describe("aptState", () => {
  test("asks dpkg-query, the cache age and apt-cache policy in one command, names quoted", () => {
    const text = aptState.command({ names: ["sl", "tree"], policy: true }).text;
    expect(text).toContain("dpkg-query -W -f='${Package}\\t${Status}\\t${Version}\\n' sl tree");
    expect(text).toContain("apt-cache policy sl tree");
    expect(text).toContain("stat -c %Y /var/lib/apt/periodic/update-success-stamp");
  });

  test("leaves apt-cache out when not asked", () => {
    expect(aptState.command({ names: ["sl"], policy: false }).text).not.toContain("apt-cache");
  });

  test("parses every section, and the .deb's package into the dpkg map", () => {
    const stdout = [
      "@@bosun:dpkg",
      "sl\tinstall ok installed\t5.02-1+b1",
      "@@bosun:cache",
      "2000",
      "1900",
      "1950",
      "3",
      "@@bosun:policy",
      "sl:",
      "  Installed: 5.02-1+b1",
      "  Candidate: 5.02-1+b1",
      "@@bosun:deb",
      "ok",
      "Package: bosun-probe",
      "Version: 2.0",
      "dpkg bosun-probe\tinstall ok installed\t1.0",
      "",
    ].join("\n");
    const st = aptState.parse(ok(stdout), { names: ["sl"], policy: true, deb: "/tmp/p.deb" });
    expect(st.packages.get("sl")?.installed).toBe(true);
    expect(st.packages.get("bosun-probe")?.version).toBe("1.0");
    expect(st.cache).toEqual({ hasLists: true, ageSeconds: 100 });
    expect(st.policy.get("sl")?.candidate).toBe("5.02-1+b1");
    expect(st.deb).toEqual({ name: "bosun-probe", version: "2.0" });
  });

  test("reports why a .deb could not be read", () => {
    const st = aptState.parse(
      ok("@@bosun:dpkg\n@@bosun:cache\n1\n-\n1\n0\n@@bosun:policy\n@@bosun:deb\ncurl: (22) The requested URL returned error: 404\n"),
      {
        names: [],
        policy: false,
        deb: "http://x/y.deb",
      },
    );
    expect(st.deb).toEqual({ error: "curl: (22) The requested URL returned error: 404" });
  });
});

describe("aptUpgradable", () => {
  test("simulates without taking the lock", () => {
    expect(aptUpgradable.command({ mode: "safe" }).text).toContain("apt-get -s -q -o Debug::NoLocking=1 upgrade --with-new-pkgs");
    expect(aptUpgradable.command({ mode: "dist" }).text).toContain("dist-upgrade");
  });

  test("fails with apt's error when the simulation fails", () => {
    const stdout = "@@bosun:cache\n1\n-\n1\n1\n@@bosun:sim\nE: dpkg was interrupted, you must manually run 'dpkg --configure -a'\nrc=100\n";
    expect(() => aptUpgradable.parse(ok(stdout), { mode: "safe" })).toThrow(/dpkg was interrupted/);
  });
});

describe("parseSetUp()", () => {
  test("names the packages apt-get set up, without architecture", () => {
    const out = parseSetUp(
      "Unpacking sl (5.02-1+b1) ...\nSetting up libncurses6:amd64 (6.4-4) ...\nSetting up sl (5.02-1+b1) ...\nProcessing triggers for libc-bin (2.36-9) ...\n",
    );
    expect([...out]).toEqual(["libncurses6", "sl"]);
  });
});
