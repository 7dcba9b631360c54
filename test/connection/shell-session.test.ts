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
import { framedCommand, neverRan, ShellSession, StreamCollector, type ShellPipes } from "../../lib/connection/shell-session.js";

function localShell(): ShellPipes {
  // controller-tools: sh base64 cat od sleep tr
  const child = spawn("/bin/sh", [], { stdio: ["pipe", "pipe", "pipe"] });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    onClose: (listener) => child.on("close", listener),
  };
}

let session: ShellSession;

beforeAll(async () => {
  const started = await ShellSession.start(localShell(), 5000);
  if (!started) throw new Error("no local shell session");
  session = started;
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
    const own = await ShellSession.start(localShell(), 5000);
    const r = await own!.run({ text: "kill -9 $PPID" });
    expect(r.code).toBeNull();
    expect(r.stderr).toMatch(/session ended/);
    expect(own!.usable).toBe(false);
  });

  test("no session where the shell cannot run base64 in time", async () => {
    expect(await ShellSession.start(undefined, 1000)).toBeUndefined();
  });

  test("a command follows the probe at once: both are written before any answer", async () => {
    const pipes = localShell();
    const written: string[] = [];
    const recording: ShellPipes = { ...pipes, write: (text) => (written.push(text), pipes.write(text)) };
    const s = (await ShellSession.start(recording, 5000))!;
    const pending = s.run(sh`echo hi`);
    expect(written).toHaveLength(2);
    expect(await pending).toMatchObject({ code: 0, stdout: "hi\n" });
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
    const s = (await ShellSession.start(silent, 50))!;
    const result = await s.run(sh`true`);
    expect(neverRan(result)).toBe(true);
    expect(result.code).toBeNull();
    expect(s.usable).toBe(false);
  });

  test("a shell without base64: a command behind the probe still gets its answer, then the session takes no more", async () => {
    // controller-tools: sh
    const child = spawn("/bin/sh", [], { stdio: ["pipe", "pipe", "pipe"], env: { PATH: "/nonexistent" } });
    const pipes: ShellPipes = {
      stdout: child.stdout,
      stderr: child.stderr,
      write: (text) => child.stdin.write(text),
      end: () => child.stdin.end(),
      onClose: (listener) => child.on("close", listener),
    };
    const s = (await ShellSession.start(pipes, 5000))!;
    const result = await s.run(sh`echo still here`);
    expect(result).toMatchObject({ code: 0, stdout: "still here\n" });
    expect(neverRan(result)).toBe(false);
    expect(await s.ready).toBe(false);
    expect(s.usable).toBe(false);
    expect(s.refused).toBe(true);
  });
});
