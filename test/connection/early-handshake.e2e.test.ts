/**
 * Handshakes started ahead of the run (as a launcher starts them) against a real lab host over real
 * SSH: the run takes one only for the same target and host key settings, checks and logs in as its
 * own login would, and one nobody takes neither logs in nor keeps the process alive.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { discardEarlyHandshakes, handshakeTarget, startEarlyHandshakes, takeEarlyHandshake } from "../../lib/connection/early-handshake.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import type { SshSpec } from "../../lib/core/connection.js";
import { UnreachableError } from "../../lib/core/errors.js";
import { useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-handshake", count: 1 });
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function spec(overrides: Partial<SshSpec> = {}): SshSpec {
  const info = lab();
  return {
    kind: "ssh",
    host: "127.0.0.1",
    port: info.hosts[0]?.sshPort ?? 0,
    user: "root",
    privateKeyPath: info.keyPath,
    knownHostsPath: info.knownHostsPath,
    hostKeyPolicy: "strict",
    connectTimeoutMs: 10000,
    connectRetries: 0,
    ...overrides,
  };
}

/** A fresh known_hosts file with `content`. */
function knownHosts(content = ""): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "bosun-kh-")), "known_hosts");
  writeFileSync(file, content);
  return file;
}

/** Log in on the handshake started for `s` (when there is one) and run `hostname`. */
async function loginAhead(s: SshSpec): Promise<{ ahead: boolean; hostname: string }> {
  const handshake = await takeEarlyHandshake(s);
  const c = new SshConnection(s, handshake);
  try {
    const hostname = (await c.exec({ text: "hostname" })).stdout.trim();
    return { ahead: c.handshakeAhead, hostname }; // logged in on the handshake itself, not afresh after it failed
  } finally {
    await c.close();
  }
}

afterEach(() => discardEarlyHandshakes());

test("the run takes the handshake started for its host: the host key is checked, the run's own user logs in", async () => {
  const s = spec();
  await startEarlyHandshakes([handshakeTarget(s)!]);
  expect(await loginAhead(s)).toEqual({ ahead: true, hostname: lab().hosts[0]?.name });
  expect(await takeEarlyHandshake(s)).toBeUndefined(); // taken once: a second connection logs in afresh
});

test("a handshake is not taken for another port, known_hosts file or policy", async () => {
  const s = spec();
  await startEarlyHandshakes([handshakeTarget(s)!]);
  expect(await takeEarlyHandshake(spec({ port: s.port + 1 }))).toBeUndefined();
  expect(await takeEarlyHandshake(spec({ knownHostsPath: knownHosts(readFileSync(s.knownHostsPath!, "utf8")) }))).toBeUndefined();
  expect(await takeEarlyHandshake(spec({ hostKeyPolicy: "accept-new" }))).toBeUndefined();
  expect(await takeEarlyHandshake(spec({ jump: spec() }))).toBeUndefined();
});

test("under strict checking a key known_hosts lacks ends the handshake; the run's own login explains the refusal", async () => {
  const s = spec({ knownHostsPath: knownHosts() });
  await startEarlyHandshakes([handshakeTarget(s)!]);
  const err = await new SshConnection(s, await takeEarlyHandshake(s)).open().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnreachableError);
  expect((err as Error).message).toMatch(/host key/i);
  expect((err as Error).message).toContain(s.knownHostsPath);
});

test("under accept-new the handshake leaves the key to the run, which learns it once", async () => {
  const s = spec({ knownHostsPath: knownHosts(), hostKeyPolicy: "accept-new" });
  await startEarlyHandshakes([handshakeTarget(s)!]);
  expect((await loginAhead(s)).ahead).toBe(true);
  expect(readFileSync(s.knownHostsPath!, "utf8")).toContain(`[127.0.0.1]:${s.port} `);
});

test("a handshake nobody takes does not keep the process alive, and never authenticates", () => {
  const s = spec();
  const container = lab().hosts[0]?.container ?? "";
  const authentications = () =>
    execFileSync("docker", ["exec", container, "journalctl", "-u", "ssh", "--no-pager", "-o", "cat"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => /^(Accepted|Failed) /.test(line)).length;
  const before = authentications();
  const script =
    `import { startEarlyHandshakes } from ${JSON.stringify(path.join(repo, "lib/connection/early-handshake.ts"))};\n` +
    `await startEarlyHandshakes([${JSON.stringify(handshakeTarget(s))}]);\n` +
    "await new Promise((r) => setTimeout(r, 300));\n" +
    'const [handshake] = globalThis[Symbol.for("bosun.earlyHandshakes")].waiting.values();\n' +
    "console.log(handshake?.alive);\n"; // waiting at authentication, and ended with the process
  // controller-tools: none -- node itself, with the script above
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: repo,
    timeout: 30_000,
    encoding: "utf8",
  });
  expect(child.error).toBeUndefined(); // no timeout: the untaken handshake let the process end
  expect(child.status).toBe(0);
  expect(child.stdout.trim()).toBe("true");
  expect(authentications()).toBe(before);
});
