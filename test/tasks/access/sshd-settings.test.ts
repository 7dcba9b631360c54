import { effectiveChanges, overriddenSettings, renderSshdDropIn, sshdSettingsProblem } from "../../../lib/tasks/access/sshd-settings.js";
import { parseEffective } from "../../../lib/facts/sshd.js";

describe("sshd settings", () => {
  test("renderSshdDropIn() writes keywords in order, booleans as yes/no, lists on one line or repeated", () => {
    const text = renderSshdDropIn("00-x", {
      PermitRootLogin: "prohibit-password",
      PasswordAuthentication: false,
      MaxAuthTries: 3,
      AllowUsers: ["deploy", "ops"],
      Port: [22, 2222],
    });
    expect(text.split("\n").filter((l) => !l.startsWith("#"))).toEqual([
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "MaxAuthTries 3",
      "AllowUsers deploy ops",
      "Port 22",
      "Port 2222",
      "",
    ]);
  });

  test("sshdSettingsProblem() refuses Match, bad keywords, duplicates and multi-line values", () => {
    expect(sshdSettingsProblem({})).toMatch(/at least one/);
    expect(sshdSettingsProblem({ Match: "User x" })).toMatch(/cannot hold "Match"/);
    expect(sshdSettingsProblem({ "Bad-Key": "x" })).toMatch(/invalid keyword/);
    expect(sshdSettingsProblem({ PermitRootLogin: "no", permitrootlogin: "yes" })).toMatch(/twice/);
    expect(sshdSettingsProblem({ Banner: "a\nPermitRootLogin yes" })).toMatch(/one line/);
    expect(sshdSettingsProblem({ PasswordAuthentication: false })).toBeUndefined();
  });

  test("overriddenSettings() finds values another file sets first, treating without-password as prohibit-password", () => {
    const eff = parseEffective("permitrootlogin without-password\npasswordauthentication yes\nmaxauthtries 6\nlogingracetime 120\n");
    expect(
      overriddenSettings(
        { PermitRootLogin: "prohibit-password", PasswordAuthentication: "no", MaxAuthTries: 6, LoginGraceTime: "2m" },
        eff,
      ),
    ).toEqual(['PasswordAuthentication "yes", not "no"']);
  });

  test("effectiveChanges() lists keywords whose values differ", () => {
    expect(effectiveChanges(parseEffective("a 1\nb 2\n"), parseEffective("a 1\nb 3\nc 4\n"))).toEqual(["b 2 → 3", "c (unset) → 4"]);
  });
});
