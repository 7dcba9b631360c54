import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { atomicWrite, IN_PLACE_MARKER } from "../../../lib/tasks/files/atomic-write.js";
import { stdinBytes, type Command } from "../../../lib/core/command.js";
import { secret } from "../../../lib/core/secrets.js";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "bosun-aw-"));
  dir = path.join(root, "it's $(touch canary) `x` -rf ü *");
  mkdirSync(dir);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Run a command with this machine's /bin/sh, as the connection would. */
function run(command: Command, options: { input?: Buffer | string; env?: NodeJS.ProcessEnv } = {}) {
  // controller-tools: sh cat chmod chown cut grep mkdir mktemp mv rm sha256sum
  const r = spawnSync("/bin/sh", ["-c", command.text], {
    input: options.input ?? stdinBytes(command),
    cwd: root,
    env: options.env ?? process.env,
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
const mode = (p: string): string => (statSync(p).mode & 0o7777).toString(8).padStart(4, "0");
const leftovers = (): string[] => readdirSync(dir).filter((f) => f.startsWith(".bosun."));

describe("atomicWrite() run by this machine's /bin/sh", () => {
  test("atomicWrite() creates a file with mode 0644 and exactly the bytes given", () => {
    const dest = path.join(dir, "new\nfile");
    const bytes = Buffer.from([0, 1, 0xff, 10, 10]);
    expect(run(atomicWrite(dest, bytes))).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(mode(dest)).toBe("0644");
    expect(leftovers()).toEqual([]);
  });

  test("atomicWrite() keeps an existing file's mode unless a mode is given", () => {
    const dest = path.join(dir, "f");
    writeFileSync(dest, "old");
    chmodSync(dest, 0o600);
    expect(run(atomicWrite(dest, "new")).code).toBe(0);
    expect(mode(dest)).toBe("0600");
    expect(run(atomicWrite(dest, "newer", { mode: "0640" })).code).toBe(0);
    expect([readFileSync(dest, "utf8"), mode(dest)]).toEqual(["newer", "0640"]);
  });

  test("atomicWrite() sends a secret's value on stdin and never in the command line", () => {
    const dest = path.join(dir, "token");
    const command = atomicWrite(dest, secret("s3cr3t-token-value"), { mode: "0600" });
    expect(command.text).not.toContain("s3cr3t-token-value");
    expect(run(command).code).toBe(0);
    expect(readFileSync(dest, "utf8")).toBe("s3cr3t-token-value");
  });

  test("atomicWrite() runs validate on the temp file and installs it when validate passes", () => {
    const dest = path.join(dir, "conf");
    const r = run(atomicWrite(dest, "valid=yes\n", { validate: "grep -q '^valid=yes$' %s && echo checked" }));
    expect(r).toMatchObject({ code: 0, stdout: "" });
    expect(r.stderr).toBe("checked\n");
    expect(readFileSync(dest, "utf8")).toBe("valid=yes\n");
  });

  test("atomicWrite() leaves the old file intact and no temp file when validate fails", () => {
    const dest = path.join(dir, "conf");
    writeFileSync(dest, "old\n");
    const r = run(atomicWrite(dest, "broken\n", { validate: "grep -q '^valid' %s" }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("validate command failed");
    expect(readFileSync(dest, "utf8")).toBe("old\n");
    expect(leftovers()).toEqual([]);
  });

  test("atomicWrite() refuses content that arrives incomplete and leaves the target unchanged", () => {
    const dest = path.join(dir, "conf");
    writeFileSync(dest, "old\n");
    const r = run(atomicWrite(dest, "a long new content\n"), { input: "a long" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("arrived incomplete");
    expect(readFileSync(dest, "utf8")).toBe("old\n");
    expect(leftovers()).toEqual([]);
  });

  test("atomicWrite() refuses to overwrite a file that changed since it was read", () => {
    const dest = path.join(dir, "conf");
    writeFileSync(dest, "changed meanwhile\n");
    const r = run(atomicWrite(dest, "edited\n", { expect: { sha256: "0".repeat(64) } }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("changed since it was read");
    expect(readFileSync(dest, "utf8")).toBe("changed meanwhile\n");
  });

  test("atomicWrite() refuses to overwrite a file that appeared since it was found absent", () => {
    const dest = path.join(dir, "conf");
    writeFileSync(dest, "appeared\n");
    const r = run(atomicWrite(dest, "new\n", { expect: "absent" }));
    expect(r.code).toBe(1);
    expect(readFileSync(dest, "utf8")).toBe("appeared\n");
  });

  test("atomicWrite() creates missing parent directories only when asked", () => {
    const dest = path.join(dir, "a", "b", "f");
    expect(run(atomicWrite(dest, "x")).code).not.toBe(0);
    expect(run(atomicWrite(dest, "x", { createParents: true })).code).toBe(0);
    expect(readFileSync(dest, "utf8")).toBe("x");
  });

  test("atomicWrite() never moves the file into a directory that sits at the target", () => {
    const dest = path.join(dir, "d");
    mkdirSync(dest);
    expect(run(atomicWrite(dest, "x")).code).not.toBe(0);
    expect(readdirSync(dest)).toEqual([]);
  });

  test("atomicWrite() writes in place and says so when rename fails with EBUSY", () => {
    const dest = path.join(dir, "hosts");
    writeFileSync(dest, "old\n");
    chmodSync(dest, 0o644);
    // A bind-mounted file cannot be renamed over; a fake mv that fails like it stands in for one.
    const shim = path.join(root, "shim");
    mkdirSync(shim);
    writeFileSync(path.join(shim, "mv"), '#!/bin/sh\necho "mv: cannot move: Device or resource busy" >&2\nexit 1\n', { mode: 0o755 });
    const r = run(atomicWrite(dest, "new\n", { mode: "0600" }), { env: { ...process.env, PATH: `${shim}:${process.env.PATH}` } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(IN_PLACE_MARKER);
    expect([readFileSync(dest, "utf8"), mode(dest)]).toEqual(["new\n", "0600"]);
    expect(leftovers()).toEqual([]);
  });

  test("atomicWrite() executes nothing from the path or the content", () => {
    run(atomicWrite(path.join(dir, "$(touch canary)"), "$(touch canary) `touch canary`"));
    expect(readdirSync(root).filter((f) => f.startsWith("canary"))).toEqual([]);
  });
});
