import { setKnownHostKeys } from "./known-hosts.js";
import { KEY_PATH, KNOWN_HOSTS_PATH } from "./paths.js";
import { runProcess } from "./process.js";

/** ssh options that trust only the lab's known_hosts and never prompt. */
export function labSshOptions(port: number): string[] {
  // prettier-ignore
  return [
    "-i", KEY_PATH,
    "-p", String(port),
    "-o", "IdentitiesOnly=yes",
    "-o", "BatchMode=yes",
    "-o", `UserKnownHostsFile=${KNOWN_HOSTS_PATH}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=5",
    "-o", "LogLevel=ERROR",
  ];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Options for {@link waitForSsh}. */
export interface WaitForSshOptions {
  /** How the host is named in errors (default `127.0.0.1:PORT`). */
  readonly label?: string;
  /** Give up after this many milliseconds (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Wait until the sshd published on 127.0.0.1:`port` answers, record its host keys in the lab's
 * known_hosts (`ssh-keyscan`), then prove root logs in with the lab key under strict host key checking.
 */
export async function waitForSsh(port: number, options: WaitForSshOptions = {}): Promise<void> {
  const { label = `127.0.0.1:${port}`, timeoutMs = 180_000 } = options; // generous: a loaded 2-core machine boots many hosts at once
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  let scanned: string[] = [];
  while (Date.now() < deadline && !scanned.some((l) => l.includes(" ssh-ed25519 "))) {
    const r = await runProcess(["ssh-keyscan", "-T", "2", "-p", String(port), "127.0.0.1"], { allowFailure: true });
    scanned = r.stdout.split("\n").filter((l) => l.startsWith(`[127.0.0.1]:${port} `));
    if (!scanned.length) await sleep(150);
  }
  if (!scanned.length) throw new Error(`Cannot reach ${label}: no sshd answered on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
  await setKnownHostKeys(port, scanned);
  while (Date.now() < deadline) {
    const r = await runProcess(["ssh", ...labSshOptions(port), "root@127.0.0.1", "true"], { allowFailure: true });
    if (r.code === 0) return;
    last = r.stderr.trim() || `exit ${r.code}`;
    await sleep(150);
  }
  throw new Error(`Cannot log in to ${label} as root with the lab key: ${last}`);
}
