import { spawn } from "node:child_process";

/** Result of a local process run by the lab. */
export interface ProcessResult {
  /** Exit code (null when killed by a signal). */
  readonly code: number | null;
  /** Standard output, untrimmed. */
  readonly stdout: string;
  /** Standard error, untrimmed. */
  readonly stderr: string;
}

/** Options for {@link runProcess}. */
export interface RunProcessOptions {
  /** Bytes or text written to the process's stdin, then stdin is closed. */
  readonly input?: string | Buffer;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Working directory. */
  readonly cwd?: string;
  /** Resolve instead of rejecting on a non-zero exit. */
  readonly allowFailure?: boolean;
}

/** Run a program on this machine with an argv (never a shell string); rejects on non-zero exit. */
export function runProcess(argv: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  const [program, ...args] = argv;
  if (!program) throw new Error("Cannot run a process: empty argv");
  return new Promise((resolve, reject) => {
    // controller-tools: none -- the caller's argv, read at each runProcess call
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e) => reject(new Error(`Cannot run ${program}: ${e.message}`)));
    child.on("close", (code) => {
      const result = { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new Error(`Command failed (exit ${code}): ${argv.join(" ")}\n${result.stderr || result.stdout}`));
    });
    // A child that exits without reading stdin makes the write fail with EPIPE: not an error here.
    child.stdin.on("error", () => {});
    if (options.input === undefined) child.stdin.end();
    else child.stdin.end(options.input);
  });
}
