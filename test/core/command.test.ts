import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { quote, raw, sh } from "../../lib/core/command.js";
import { secret } from "../../lib/core/secrets.js";

/** Run text with the machine's real /bin/sh (dash on Debian) and return what printf saw. */
function roundTrip(value: string): string {
  // controller-tools: sh (printf only)
  const r = spawnSync("/bin/sh", ["-c", `printf '%s' ${quote(value)}`], { encoding: "utf8" });
  return r.stdout;
}

describe("sh", () => {
  test("sh quotes interpolated values and leaves the template as it is", () => {
    expect(sh`mkdir -p -- ${"/srv/my app"}`.text).toBe("mkdir -p -- '/srv/my app'");
  });

  test("sh quotes each element of an array as its own word", () => {
    expect(sh`rm -- ${["a b", "c"]}`.text).toBe("rm -- 'a b' c");
  });

  test("sh inserts raw fragments and nested commands unquoted", () => {
    expect(sh`echo ${raw(">")} ${sh`x ${"y z"}`}`.text).toBe("echo > x 'y z'");
  });

  test("sh refuses a secret in a command line", () => {
    expect(() => sh`echo ${secret("hunter2-pass") as never}`).toThrow(/stdin/);
  });

  test("quote() refuses NUL, which cannot travel in argv", () => {
    expect(() => quote("a\0b")).toThrow(/NUL/);
  });

  test("quote() round-trips hostile strings through a real POSIX sh literally", () => {
    const hostile = ["it's", "$(touch /tmp/x)", "`id`", "a;b&&c", "line1\nline2", "-rf", "*", "ünï cødé ✓", "'\"'\"'", "\\", "$HOME", ""];
    for (const h of hostile) expect(roundTrip(h)).toBe(h);
  });

  test("quote() round-trips any generated string through a real POSIX sh", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 200 }).filter((s) => !s.includes("\0")),
        (s) => roundTrip(s) === s,
      ),
      { numRuns: 300 },
    );
  });
});
