import { apt } from "../../../lib/tasks/packages/apt.js";
import { explainAptFailure, parseLockHolders, aptScript } from "../../../lib/tasks/packages/apt-run.js";
import { sh } from "../../../lib/core/command.js";
import { fakeHost } from "../../support/host.js";

interface HostState {
  readonly dpkg?: string;
  /** now, stamp, lists dir mtime, Packages lists. */
  readonly cache?: readonly string[];
  readonly policy?: string;
}

function probeOutput(st: HostState): string {
  return `@@bosun:dpkg\n${st.dpkg ?? ""}\n@@bosun:cache\n${(st.cache ?? ["10000", "9990", "9990", "5"]).join("\n")}\n@@bosun:policy\n${st.policy ?? ""}\n@@bosun:deb\n`;
}

function policy(name: string, installed: string | undefined, candidate: string | undefined): string {
  return `${name}:\n  Installed: ${installed ?? "(none)"}\n  Candidate: ${candidate ?? "(none)"}\n`;
}

async function plan(call: ReturnType<typeof apt>, st: HostState) {
  const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout: probeOutput(st) }) });
  const result = await host.run(call).catch((e: Error) => ({ status: "failed", message: e.message, commands: -1 }));
  return { result, executed: connection.executed };
}

describe("apt() plans", () => {
  test("installs only the missing packages, in one check command", async () => {
    const { result, executed } = await plan(apt({ names: ["sl", "tree"] }), {
      dpkg: "sl\tinstall ok installed\t5.02-1+b1",
      policy: policy("sl", "5.02-1+b1", "5.02-1+b1") + policy("tree", undefined, "2.1.0-1"),
    });
    expect(result.status).toBe("changed");
    expect(result.message).toBe("install tree");
    expect(executed).toHaveLength(1);
  });

  test("is ok when every package is installed", async () => {
    const { result } = await plan(apt({ names: "sl" }), {
      dpkg: "sl\tinstall ok installed\t5.02-1+b1",
      policy: policy("sl", "5.02-1+b1", "5.02-1+b1"),
    });
    expect(result).toMatchObject({ status: "ok", message: "sl installed" });
  });

  test("refreshes lists older than the validity window, and not younger ones", async () => {
    const old = await plan(apt({ names: "sl", updateCache: true, cacheValidSeconds: 3600 }), {
      dpkg: "sl\tinstall ok installed\t1",
      cache: ["100000", "90000", "90000", "5"],
    });
    expect(old.result.message).toBe("refresh package lists (lists are 3 h old (valid 60 min))");
    const fresh = await plan(apt({ names: "sl", updateCache: true, cacheValidSeconds: 3600 }), {
      dpkg: "sl\tinstall ok installed\t1",
      cache: ["100000", "99000", "99000", "5"],
    });
    expect(fresh.result.status).toBe("ok");
  });

  test("fetches lists that were never fetched before installing, even without updateCache", async () => {
    const { result } = await plan(apt({ names: "sl" }), { cache: ["100", "-", "99", "0"] });
    expect(result.message).toBe("refresh package lists (package lists were never fetched); install sl");
  });

  test("fails before anything runs when apt does not know a package", async () => {
    const { result } = await plan(apt({ names: ["nosuch"] }), { policy: "" });
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(/^Cannot install nosuch: no such package in the apt lists\n {2}hint: /);
  });

  test("latest upgrades an installed package whose candidate is newer", async () => {
    const { result } = await plan(apt({ names: "bosun-probe", state: "latest" }), {
      dpkg: "bosun-probe\tinstall ok installed\t1.0",
      policy: policy("bosun-probe", "1.0", "2.0"),
    });
    expect(result.message).toBe("install or upgrade bosun-probe");
  });

  test("present ignores a newer candidate; a pinned version must match exactly", async () => {
    const st = { dpkg: "bosun-probe\tinstall ok installed\t1.0", policy: policy("bosun-probe", "1.0", "2.0") };
    expect((await plan(apt({ names: "bosun-probe" }), st)).result.status).toBe("ok");
    expect((await plan(apt({ names: "bosun-probe=1.0" }), st)).result.status).toBe("ok");
    expect((await plan(apt({ names: "bosun-probe=2.0" }), st)).result.message).toBe("install bosun-probe=2.0");
  });

  test("absent removes installed packages; purge also clears config-only ones", async () => {
    const st = { dpkg: "sl\tinstall ok installed\t1\ntree\tdeinstall ok config-files\t2" };
    expect((await plan(apt({ names: ["sl", "tree"], state: "absent" }), st)).result.message).toBe("remove sl");
    expect((await plan(apt({ names: ["sl", "tree"], state: "absent", purge: true }), st)).result.message).toBe("purge sl tree");
    expect((await plan(apt({ names: ["tree"], state: "absent" }), st)).result.status).toBe("ok");
  });
});

describe("apt() parameters", () => {
  test.each([
    [{ names: "Bad Name" }, /Cannot use packages\.apt: parameter "names" has an invalid package name "Bad Name"/],
    [{ names: ["sl"], stat: "present" }, /Cannot use packages\.apt: unknown parameter "stat"/],
    [{ names: ["sl"], state: "gone" }, /parameter "state" must be one of/],
    [{}, /give parameter "names", "deb" or "updateCache"/],
    [{ deb: "ftp://x/y.deb" }, /parameter "deb" must be an http\(s\) URL or an absolute path/],
    [{ deb: "/tmp/x.deb", state: "absent" }, /parameter "deb" works only with state "present"/],
    [{ names: "sl", cacheValidSeconds: 60 }, /parameter "cacheValidSeconds" needs updateCache: true/],
    [{ names: "sl", lockTimeoutSeconds: -1 }, /parameter "lockTimeoutSeconds" must be >= 0/],
  ])("rejects %j", (input, message) => {
    expect(() => apt(input as Parameters<typeof apt>[0])).toThrow(message);
  });
});

describe("lock holders", () => {
  const stderr = [
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 366 (python3)",
    "@@bosun-lock-holder\t/var/lib/dpkg/lock-frontend\t366\t/usr/bin/python3 -c import fcntl ",
  ].join("\n");

  test("are read from the script's stderr", () => {
    expect(parseLockHolders(stderr)).toEqual([
      { lock: "/var/lib/dpkg/lock-frontend", pid: 366, command: "/usr/bin/python3 -c import fcntl" },
    ]);
  });

  test("are named in the failure", () => {
    expect(explainAptFailure({ code: 100, stdout: "", stderr, durationMs: 1 }, 30)).toEqual({
      reason: "/var/lib/dpkg/lock-frontend is held by process 366 (/usr/bin/python3 -c import fcntl); waited 30 s",
      hint: expect.stringMatching(/raise lockTimeoutSeconds/),
    });
  });

  test("other failures quote apt's errors, without warnings", () => {
    const r = { code: 100, stdout: "", stderr: "W: some warning\nE: Unable to locate package nosuch\n", durationMs: 1 };
    expect(explainAptFailure(r, 60).reason).toBe("apt-get failed (exit 100):\nE: Unable to locate package nosuch");
  });

  test("the script scans /proc/locks only when the body failed", () => {
    const text = aptScript(sh`apt-get install -y sl`, 5).text;
    expect(text).toContain("export DEBIAN_FRONTEND=noninteractive");
    expect(text).toMatch(/\{ apt-get install -y sl\n\}; rc=\$\?; \[ "\$rc" = 0 \] \|\| bosun_holders; exit "\$rc"$/);
  });
});
