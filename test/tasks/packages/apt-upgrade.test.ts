import { aptUpgrade } from "../../../lib/tasks/packages/apt-upgrade.js";
import { fakeHost } from "../../support/host.js";

function probe(cache: readonly string[], sim: string, rc = 0): string {
  return `@@bosun:cache\n${cache.join("\n")}\n@@bosun:sim\n${sim}\nrc=${rc}\n`;
}

async function plan(call: ReturnType<typeof aptUpgrade>, stdout: string) {
  const { host, connection } = fakeHost({ check: true, respond: () => ({ stdout }) });
  return { result: await host.run(call), commands: connection.executed.length };
}

const FRESH = ["1000", "990", "990", "3"];
const UPGRADE =
  "Inst libssh2-1 [1.10.0-3+b1] (1.10.0-3+deb12u1 Debian-Security:12/oldstable-security [amd64])\nConf libssh2-1 (1.10.0-3+deb12u1 Debian-Security:12/oldstable-security [amd64])";

describe("aptUpgrade() plans", () => {
  test("lists what would be upgraded, in one command", async () => {
    const { result, commands } = await plan(aptUpgrade({}), probe(FRESH, UPGRADE));
    expect(result).toMatchObject({ status: "changed", message: "upgrade libssh2-1" });
    expect(result.output).toEqual({
      upgraded: [{ action: "install", name: "libssh2-1", from: "1.10.0-3+b1", to: "1.10.0-3+deb12u1" }],
      removed: [],
      cacheUpdated: false,
    });
    expect(commands).toBe(1);
  });

  test("is ok when nothing would upgrade and the lists are fresh", async () => {
    expect(
      (
        await plan(
          aptUpgrade({ updateCache: true, cacheValidSeconds: 60 }),
          probe(FRESH, "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."),
        )
      ).result.status,
    ).toBe("ok");
  });

  test("refreshes stale lists even when the old lists show nothing to upgrade", async () => {
    const { result } = await plan(aptUpgrade({ updateCache: true, cacheValidSeconds: 60 }), probe(["1000", "100", "100", "3"], ""));
    expect(result.message).toBe("refresh package lists; then upgrade what is newer");
  });

  test("fails with apt's reason when the simulation fails", async () => {
    const { result } = await plan(
      aptUpgrade({ ignoreErrors: true }),
      probe(FRESH, "E: dpkg was interrupted, you must manually run 'dpkg --configure -a'", 100),
    );
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /^Cannot simulate the upgrade: E: dpkg was interrupted.*\n {2}hint: run `dpkg --configure -a` on the host$/,
    );
  });

  test("rejects bad parameters before anything runs", () => {
    expect(() => aptUpgrade({ mode: "full" as "dist" })).toThrow(
      /Cannot use packages\.aptUpgrade: parameter "mode" must be one of "safe", "dist"/,
    );
    expect(() => aptUpgrade({ cacheValidSeconds: 5 })).toThrow(/parameter "cacheValidSeconds" needs updateCache: true/);
  });
});
