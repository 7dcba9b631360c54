/**
 * The shell session's framing against a real /bin/sh (dash) on this machine, the same shell a
 * Debian host runs it with: exact output and status, stdin byte for byte, nothing left over for
 * the session to execute, and a session that outlives whatever its commands do.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { sh, withStdin } from "../../lib/core/command.js";
import {
  framedCommand,
  neverRan,
  sessionProgram,
  ShellSession,
  StreamCollector,
  type ShellLauncher,
  type ShellPipes,
} from "../../lib/connection/shell-session.js";

/** Starts the session's program as sshd does (`$SHELL -c <program>`), here with this machine's /bin/sh. */
function localShell(env?: NodeJS.ProcessEnv, seen?: { initial?: string; written: string[] }): ShellLauncher {
  return async (initial) => {
    if (seen) seen.initial = initial;
    // controller-tools: sh base64 cat od sleep tr
    const child = spawn("/bin/sh", ["-c", sessionProgram(initial)], { stdio: ["pipe", "pipe", "pipe"], ...(env ? { env } : {}) });
    return {
      stdout: child.stdout,
      stderr: child.stderr,
      write: (text) => (seen?.written.push(text), child.stdin.write(text)),
      end: () => child.stdin.end(),
      onClose: (listener) => child.on("close", listener),
    };
  };
}

let session: ShellSession;

beforeAll(() => {
  session = ShellSession.start(localShell(), 5000);
});

afterAll(() => session.close());

describe("framedCommand", () => {
  test("without stdin the command reads /dev/null; the token follows on both streams", () => {
    expect(framedCommand({ text: "echo hi" }, "T-1")).toBe(
      "/bin/sh -c 'echo hi' </dev/null\nprintf '%s %d\\n' 'T-1' \"$?\"; printf '%s\\n' 'T-1' >&2\n",
    );
  });

  test("stdin travels as base64 in a here-document closed by the token", () => {
    const framed = framedCommand(withStdin({ text: "cat" }, "secret"), "T-2");
    expect(framed).toContain("base64 -d 2>/dev/null <<'T-2' | /bin/sh -c cat\nc2VjcmV0\nT-2\n");
    expect(framed).not.toContain("secret");
  });
});

describe("StreamCollector", () => {
  test("finds a token split across chunks and keeps what follows", () => {
    const c = new StreamCollector();
    c.push(Buffer.from("out"));
    expect(c.takeUntil("TOK", true)).toBeUndefined();
    c.push(Buffer.from("putTO"));
    expect(c.takeUntil("TOK", true)).toBeUndefined();
    c.push(Buffer.from("K 3"));
    expect(c.takeUntil("TOK", true)).toBeUndefined();
    c.push(Buffer.from("\nnext"));
    expect(c.takeUntil("TOK", true)).toEqual({ output: Buffer.from("output"), code: 3 });
    expect(c.drain().toString()).toBe("next");
  });
});

describe("ShellSession on /bin/sh", () => {
  test("output is exact and the status is the command's", async () => {
    const r = await session.run({ text: "printf '  a\\n\\nb'; printf 'e' >&2; exit 3" });
    expect(r).toMatchObject({ code: 3, stdout: "  a\n\nb", stderr: "e" });
  });

  test("what a command sets (variables, cd, exit) does not reach the next one", async () => {
    await session.run({ text: "X=1; export Y=2; cd /; exit 0" });
    const r = await session.run({ text: 'printf "%s|%s|%s" "${X-}" "${Y-}" "$PWD"' });
    expect(r.stdout).toBe(`||${process.cwd()}`);
  });

  test("a command that leaves its stdin unread leaves nothing for the session to run", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-session-"));
    const canary = path.join(dir, "ran");
    const input = `touch ${canary}\n`.repeat(2000);
    const r = await session.run(withStdin({ text: "true" }, input));
    expect(r.code).toBe(0);
    const after = await session.run({ text: "echo alive" });
    expect(after.stdout).toBe("alive\n");
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a command without stdin sees end of input at once", async () => {
    const r = await session.run({ text: "cat; echo done" });
    expect(r.stdout).toBe("done\n");
  });

  test("stdin arrives byte for byte, NUL and invalid UTF-8 included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const r = await session.run(withStdin({ text: "od -An -v -tx1 | tr -d ' \\n'" }, Buffer.from(bytes)));
        expect(r.stdout).toBe(Buffer.from(bytes).toString("hex"));
      }),
      { numRuns: 60 },
    );
  });

  test("hostile command text and output round-trip through the framing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 200 }), async (value) => {
        const clean = value.replace(/\0/g, "");
        const r = await session.run(sh`printf '%s' ${clean}; printf '%s' ${clean} >&2`);
        expect(r).toMatchObject({ code: 0, stdout: clean, stderr: clean });
      }),
      { numRuns: 100 },
    );
  });

  test("busy while a command runs", async () => {
    const running = session.run({ text: "sleep 0.2" });
    expect(session.busy).toBe(true);
    expect(() => session.run({ text: "true" })).toThrow(/busy/);
    await running;
    expect(session.busy).toBe(false);
  });

  test("a command that kills the session shell fails with status null, not a hang", async () => {
    const own = ShellSession.start(localShell(), 5000);
    const r = await own.run({ text: "kill -9 $PPID" });
    expect(r.code).toBeNull();
    expect(r.stderr).toMatch(/session ended/);
    expect(own.usable).toBe(false);
  });

  test("a host that refuses the shell: the session is refused and a command sent to it never ran", async () => {
    const s = ShellSession.start(async () => undefined, 1000);
    const result = await s.run(sh`true`);
    expect(neverRan(result)).toBe(true);
    expect(await s.ready).toBe(false);
    expect(s.refused).toBe(true);
  });

  test("the probe and a first command travel in the program that starts the shell: nothing waits for an answer", async () => {
    const seen: { initial?: string; written: string[] } = { written: [] };
    const s = ShellSession.start(localShell(undefined, seen), 5000);
    const first = s.run(sh`echo hi`);
    expect(await first).toMatchObject({ code: 0, stdout: "hi\n" });
    expect(seen.initial).toContain("command -v base64");
    expect(seen.initial).toContain("echo hi");
    expect(seen.written).toEqual([]);
    const second = await s.run(sh`echo again`);
    expect(second).toMatchObject({ code: 0, stdout: "again\n" });
    expect(seen.written).toHaveLength(1);
    expect(await s.ready).toBe(true);
    s.close();
  });

  test("stdin never travels in the starting program (it would be in argv): it is written to the running shell", async () => {
    const seen: { initial?: string; written: string[] } = { written: [] };
    const s = ShellSession.start(localShell(undefined, seen), 5000);
    const r = await s.run(withStdin({ text: "cat" }, "secret text"));
    expect(r).toMatchObject({ code: 0, stdout: "secret text" });
    const base64 = Buffer.from("secret text").toString("base64");
    expect(seen.initial).not.toContain(base64);
    expect(seen.written.join("")).toContain(base64);
    s.close();
  });

  test("a command after the shell started follows the probe at once", async () => {
    const seen: { initial?: string; written: string[] } = { written: [] };
    const s = ShellSession.start(localShell(undefined, seen), 5000);
    await new Promise((r) => setImmediate(r));
    const pending = s.run(sh`echo later`);
    expect(await pending).toMatchObject({ code: 0, stdout: "later\n" });
    expect(seen.initial).not.toContain("echo later");
    expect(await s.ready).toBe(true);
    s.close();
  });

  test("a shell that never answers: the command behind the probe never ran, and the session takes no more", async () => {
    const silent: ShellPipes = {
      stdout: { on: () => undefined },
      stderr: { on: () => undefined },
      write: () => undefined,
      end: () => undefined,
      onClose: () => undefined,
    };
    const s = ShellSession.start(async () => silent, 50);
    const result = await s.run(sh`true`);
    expect(neverRan(result)).toBe(true);
    expect(result.code).toBeNull();
    expect(s.usable).toBe(false);
  });

  test("a shell without base64: a command behind the probe still gets its answer, then the session takes no more", async () => {
    const s = ShellSession.start(localShell({ PATH: "/nonexistent" }), 5000);
    const result = await s.run(sh`echo still here`);
    expect(result).toMatchObject({ code: 0, stdout: "still here\n" });
    expect(neverRan(result)).toBe(false);
    expect(await s.ready).toBe(false);
    expect(s.usable).toBe(false);
    expect(s.refused).toBe(true);
  });
});
