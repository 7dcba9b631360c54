/**
 * Every program that lib/lab and test/ run on this machine is in lib/lab/controller-tools.ts, the
 * list the prerequisite installer, `.ci/run` and `scripts/fresh-check.sh` work from: a test that
 * needs a tool nobody installs fails here, by name, instead of on a fresh machine.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CONTROLLER_TOOLS, controllerDebianPackages } from "../../lib/lab/controller-tools.js";
import { missingControllerTools } from "../../lib/lab/prerequisites.js";
import { scanControllerPrograms } from "./controller-tool-scan.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The scanner and this test hold call shapes as examples, not as calls. */
const SELF = new Set(["test/lab/controller-tool-scan.ts", "test/lab/controller-tools.test.ts"]);

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return /\.(ts|cjs|mjs|js)$/.test(name) && !SELF.has(rel) ? [rel] : [];
  });
}

/** One call of `fn` in example source. */
const call = (fn: string, args: string) => `${fn}(${args});`;

describe("scanControllerPrograms()", () => {
  test("reads the program of an argv, a spawn and a copied host binary", () => {
    const source = [
      call("runProcess", '["docker", "cp", "/bin/busybox", "c:/tmp/busybox"]'),
      call("spawnSync", '\n  "openssl",\n  ["req"]'),
      call("onPath", '"debootstrap"'),
    ].join("\n");
    const { uses, unreadable } = scanControllerPrograms(source);
    expect(uses).toEqual([
      { program: "docker", line: 1 },
      { program: "openssl", line: 2 },
      { program: "debootstrap", line: 5 },
      { program: "busybox", line: 1 },
    ]);
    expect(unreadable).toEqual([]);
  });

  test("asks for a controller-tools comment where the program is computed or a shell runs a script", () => {
    const source = [
      call("runProcess", "argv"),
      call("spawnSync", '"sh", ["-c", text]'),
      "// controller-tools: curl (what the demo prints)",
      call("spawnSync", '"sh", ["-c", result.curl]'),
      "// controller-tools: none -- the unpacked root filesystem's own busybox",
      call("runProcess", '[path.join(root, "bin", "busybox")]'),
      "function runProcess(argv) {}",
    ].join("\n");
    const { uses, unreadable } = scanControllerPrograms(source);
    expect(unreadable).toEqual([1, 2]);
    expect(uses).toEqual([
      { program: "sh", line: 2 },
      { program: "curl", line: 4 },
      { program: "sh", line: 4 },
    ]);
  });

  test("counts a local connection and an inventory host on ansible_connection: local as running computed commands", () => {
    const source = [
      "const c = new LocalConnection();",
      'const inv = "web1:\\n  ansible_connection: local\\n";',
      'const ini = "[app]\\nweb1 ansible_connection=local\\n";',
      'const parsedOnly = { ansible_connection: "local" };',
    ].join("\n");
    expect(scanControllerPrograms(source).unreadable).toEqual([1, 2, 3]);
  });
});

describe("lib/lab/controller-tools.ts", () => {
  const listed = new Set(CONTROLLER_TOOLS.map((t) => t.program));
  const files = [...sources("lib/lab"), ...sources("test")];

  test("lists every program that lib/lab and test/ run on this machine", () => {
    const problems = files.flatMap((file) => {
      const { uses, unreadable } = scanControllerPrograms(readFileSync(path.join(root, file), "utf8"));
      return [
        ...uses
          .filter((u) => !listed.has(u.program))
          .map((u) => `${file}:${u.line} runs ${u.program}, which lib/lab/controller-tools.ts does not list (add it there)`),
        ...unreadable.map(
          (line) =>
            `${file}:${line} runs a program or script this test cannot read: say what it runs on this machine in a ` +
            "`// controller-tools: NAME ...` comment right above the call (`none` when nothing of this machine's)",
        ),
      ];
    });
    expect(problems).toEqual([]);
  });

  test("scans enough to mean something: the lab's docker, the copied busybox and a shell are found", () => {
    const found = new Set(
      files.flatMap((f) => scanControllerPrograms(readFileSync(path.join(root, f), "utf8")).uses.map((u) => u.program)),
    );
    for (const program of ["docker", "debootstrap", "ssh", "busybox", "curl", "openssl", "sh"]) expect(found).toContain(program);
  });

  test("says where each tool comes from, once, with a file that uses it", () => {
    for (const t of CONTROLLER_TOOLS) {
      expect([t.program, Boolean(t.debianPackage) !== Boolean(t.from)]).toEqual([t.program, true]);
      expect([t.program, existsSync(path.join(root, t.usedBy.split(" ")[0]!))]).toEqual([t.program, true]);
    }
    expect(listed.size).toBe(CONTROLLER_TOOLS.length);
    expect(controllerDebianPackages()).toEqual(expect.arrayContaining(["docker.io", "debootstrap", "openssh-client", "busybox-static"]));
  });
});

describe("missingControllerTools()", () => {
  test("finds a program on PATH present, and one that must come from a package this machine lacks missing", () => {
    const sh = { program: "sh", debianPackage: "dash", usedBy: "x" };
    const fromOtherPackage = { ...sh, debianPackage: "bosun-no-such-package", exactPackage: true };
    const absent = { program: "bosun-no-such-program", debianPackage: "dash", usedBy: "x" };
    expect(missingControllerTools([sh, fromOtherPackage, absent])).toEqual([fromOtherPackage, absent]);
  });
});
