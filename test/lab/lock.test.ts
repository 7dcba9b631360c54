/** The lab's cross-process lock (a directory with the holder's pid). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = mkdtempSync(path.join(tmpdir(), "bosun-lock-"));
process.env.BOSUN_LAB_DIR = dir; // read when lib/lab/paths.ts loads, below
const { withLabLock } = await import("../../lib/lab/lock.js");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("withLabLock()", () => {
  test("a lock whose taker has made the directory but not yet written its pid is held, not taken over", async () => {
    mkdirSync(path.join(dir, "locks", "young"), { recursive: true });
    await expect(withLabLock("young", async () => "taken", { timeoutMs: 300 })).rejects.toThrow(/still held by another process/);
  });

  test("a pid-less lock older than the grace period was left by a process that died: it is taken over", async () => {
    const old = path.join(dir, "locks", "old");
    mkdirSync(old, { recursive: true });
    const past = new Date(Date.now() - 60_000);
    utimesSync(old, past, past);
    await expect(withLabLock("old", async () => "taken", { timeoutMs: 300 })).resolves.toBe("taken");
  });

  test("two holders in one process run one after the other", async () => {
    const order: string[] = [];
    const hold = (name: string) =>
      withLabLock("shared", async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 50));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect(order).toEqual(["a in", "a out", "b in", "b out"]);
  });
});
