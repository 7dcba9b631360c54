import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LAB_DIR } from "./paths.js";

/** Options for {@link withLabLock}. */
export interface LabLockOptions {
  /** Give up after this many milliseconds of waiting (default 15 minutes: an image build). */
  readonly timeoutMs?: number;
}

/** How long a lock directory may exist without its pid file: its taker is between mkdir and writing the pid. */
const PID_GRACE_MS = 10_000;

function holderAlive(dir: string): boolean {
  let text: string;
  try {
    text = readFileSync(path.join(dir, "pid"), "utf8");
  } catch {
    // No pid file yet: another process has just made the directory (a young one), or died right then (an old one).
    try {
      return Date.now() - statSync(dir).mtimeMs < PID_GRACE_MS;
    } catch {
      return false; // the directory is gone: free
    }
  }
  const pid = Number(text);
  if (!pid) return true; // being written right now
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Run `fn` while holding the named lock `.lab/locks/<name>` (a directory, so it works across
 * processes: the CLI and parallel jest workers share `.lab/`). A lock left by a dead process is taken over.
 */
export async function withLabLock<T>(name: string, fn: () => Promise<T>, options: LabLockOptions = {}): Promise<T> {
  const dir = path.join(LAB_DIR, "locks", name);
  mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!holderAlive(dir)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Cannot take lab lock "${name}": still held by another process (${dir})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
