/**
 * The ssh connection against real lab hosts over real SSH: host keys, authentication, sudo,
 * jump hosts, untrimmed output, and faults (a cut connection mid-upload, a full disk).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { earlySocket } from "../../lib/connection/early-socket.js";
import { SshConnection } from "../../lib/connection/ssh.js";
import type { SshSpec } from "../../lib/core/connection.js";
import { UnreachableError } from "../../lib/core/errors.js";
import { atomicWrite } from "../../lib/tasks/files/atomic-write.js";
import { ensureFile } from "../../lib/tasks/files/index.js";
import { useLab, sshExec } from "../e2e/lab-fixture.js";
import { TaskRunner } from "../e2e/task-harness.js";

const lab = useLab({ name: "t-ssh", count: 2 });

function spec(overrides: Partial<SshSpec> = {}, index = 0): SshSpec {
  const info = lab();
  const host = info.hosts[index];
  if (!host) throw new Error("lab host missing");
  return {
    kind: "ssh",
    host: "127.0.0.1",
    port: host.sshPort,
    user: "root",
    privateKeyPath: info.keyPath,
    knownHostsPath: info.knownHostsPath,
    hostKeyPolicy: "strict",
    connectTimeoutMs: 10000,
    connectRetries: 1,
    ...overrides,
  };
}

async function withConnection<T>(s: SshSpec, fn: (c: SshConnection) => Promise<T>): Promise<T> {
  const c = new SshConnection(s);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

function tempKnownHosts(content = ""): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "bosun-kh-")), "known_hosts");
  writeFileSync(file, content);
  return file;
}

describe("ssh connection", () => {
  test("output is never trimmed and success is judged by exit status", async () => {
    await withConnection(spec(), async (c) => {
      const r = await c.exec({ text: "printf '  two spaces and newlines\\n\\n'; printf 'err\\n' >&2; exit 3" });
      expect(r).toMatchObject({ code: 3, stdout: "  two spaces and newlines\n\n", stderr: "err\n" });
    });
  });

  test("stdin reaches the remote program byte for byte", async () => {
    await withConnection(spec(), async (c) => {
      const payload = Buffer.from([0, 1, 2, 255, 10, 13, 39, 34, 36]);
      const r = await c.exec({ text: "od -An -tx1 | tr -s ' \\n' ' '", stdin: payload });
      expect(r.stdout.trim()).toBe("00 01 02 ff 0a 0d 27 22 24");
    });
  });

  const parent = 'echo "$PPID $(cat /proc/$PPID/comm)"';

  test("commands run one after another on the connection's one remote shell", async () => {
    await withConnection(spec(), async (c) => {
      const parents = [];
      for (let i = 0; i < 3; i++) parents.push((await c.exec({ text: parent })).stdout);
      expect(new Set(parents).size).toBe(1);
      expect(parents[0]).toMatch(/^\d+ sh\n$/);
      expect((await c.exec({ text: "exit 4" })).code).toBe(4);
      expect((await c.exec({ text: parent })).stdout).toBe(parents[0]);
    });
  });

  test("a command started while the shell is busy gets a channel of its own", async () => {
    await withConnection(spec(), async (c) => {
      const [slow, quick] = await Promise.all([c.exec({ text: `sleep 0.5; ${parent}` }), c.exec({ text: parent })]);
      expect(slow.stdout).toMatch(/ sh\n$/);
      expect(quick.stdout).toMatch(/ sshd\n$/);
    });
  });

  test("with shellSession off every command has a channel (and a shell) of its own", async () => {
    await withConnection(spec({ shellSession: false }), async (c) => {
      expect((await c.exec({ text: parent })).stdout).toMatch(/ sshd\n$/);
      expect((await c.exec({ text: parent })).stdout).toMatch(/ sshd\n$/);
    });
  });

  test("stdin on the shell session never appears in the argv of any process on the host", async () => {
    const host = lab().hosts[0] as { sshPort: number };
    await withConnection(spec(), async (c) => {
      const secret = ["s3cr3t", "on", "stdin", "7f1c"].join("-");
      const running = c.exec({ text: "cat >/dev/null; sleep 1", stdin: secret });
      const seen = await sshExec(host, "sleep 0.4; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '");
      expect((await running).code).toBe(0);
      expect(seen.stdout).toContain("sleep 1");
      expect(seen.stdout).not.toContain(secret);
    });
  });

  test("an unknown host key is refused under strict checking, with its fingerprint and how to add it", async () => {
    const kh = tempKnownHosts();
    const err = await withConnection(spec({ knownHostsPath: kh }), (c) => c.open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as UnreachableError).message).toMatch(/is not in .*SHA256:/);
    expect((err as UnreachableError).context.hint).toMatch(/ssh-keyscan|accept-new/);
  });

  test("accept-new learns an unknown host key once, then checks it", async () => {
    const kh = tempKnownHosts();
    await withConnection(spec({ knownHostsPath: kh, hostKeyPolicy: "accept-new" }), (c) => c.exec({ text: "true" }));
    expect(readFileSync(kh, "utf8")).toMatch(/^\[127\.0\.0\.1\]:\d+ ssh-/);
    await withConnection(spec({ knownHostsPath: kh, hostKeyPolicy: "strict" }), (c) => c.exec({ text: "true" }));
  });

  test("a changed host key is refused even with accept-new, naming both fingerprints and the fix", async () => {
    const port = lab().hosts[0]?.sshPort;
    const other = readFileSync(lab().knownHostsPath, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`[127.0.0.1]:${lab().hosts[1]?.sshPort} ssh-ed25519`));
    expect(other).toBeDefined();
    const kh = tempKnownHosts(`${other?.replace(/^\S+/, `[127.0.0.1]:${port}`)}\n`);
    const err = await withConnection(spec({ knownHostsPath: kh, hostKeyPolicy: "accept-new" }), (c) => c.open()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/host key mismatch .*known_hosts has SHA256:\S+ .*offers SHA256:/);
    expect((err as UnreachableError).context.hint).toMatch(/ssh-keygen -R/);
  });

  test("a wrong key is an authentication failure naming the key", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-key-"));
    const key = path.join(dir, "id");
    const { spawnSync } = await import("node:child_process");
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const err = await withConnection(spec({ privateKeyPath: key }), (c) => c.open()).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/authentication failed \(key .*id\)/);
  });

  test("a closed port is reported as unreachable with a hint, after the configured retries", async () => {
    const err = await withConnection(spec({ port: 1, connectRetries: 1 }), (c) => c.open()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/connection refused/);
  });

  test("a connection whose TCP connection was started before ssh2 loaded (as a run makes it) logs in and runs commands", async () => {
    const s = spec({ connectRetries: 0 }); // on the early socket itself (its identification line sent ahead), not a retry
    await withConnection(s, async () => undefined); // the host is up
    const c = new SshConnection(s, earlySocket(s));
    try {
      expect((await c.exec({ text: "echo early" })).stdout).toBe("early\n");
    } finally {
      await c.close();
    }
  });

  test("an early TCP connection to a closed port is reported as ssh2's own would be", async () => {
    const s = spec({ port: 1, connectRetries: 1 });
    const err = await new SshConnection(s, earlySocket(s)).open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as Error).message).toMatch(/connection refused/);
  });

  test("a jump host (bastion) reaches a host that is only on the lab network", async () => {
    const target = lab().hosts[1];
    const kh = tempKnownHosts();
    const s = spec({ host: target?.ip ?? "", port: 22, knownHostsPath: kh, hostKeyPolicy: "accept-new", jump: spec() });
    await withConnection(s, async (c) => {
      const r = await c.exec({ text: "hostname" });
      expect(r.stdout.trim()).toBe(target?.name);
    });
  });

  describe("sudo", () => {
    beforeAll(async () => {
      const host = lab().hosts[0] as { sshPort: number };
      await sshExec(
        host,
        "id alice >/dev/null 2>&1 || useradd -m -s /bin/bash -G sudo alice; echo 'alice:Wonder land 1' | chpasswd; " +
          "mkdir -p ~alice/.ssh && cp /root/.ssh/authorized_keys ~alice/.ssh/ && chown -R alice: ~alice/.ssh",
      );
    });

    function alice(password?: string): TaskRunner {
      const info = lab();
      const host = info.hosts[0];
      if (!host) throw new Error("lab host missing");
      return new TaskRunner(
        { name: host.name, sshPort: host.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath },
        "alice",
        {
          enabled: true,
          password,
        },
      );
    }

    test("a become password is sent on stdin and the task runs as root", async () => {
      const runner = alice("Wonder land 1");
      try {
        const r = await runner.run(ensureFile({ path: "/root/sudo-proof", content: "ok\n" }));
        expect(r.status).toBe("changed");
        expect(runner.sh("stat -c %U /root/sudo-proof").stdout.trim()).toBe("root");
        expect(runner.commands.join("\n")).not.toContain("Wonder land 1");
      } finally {
        await runner.close();
      }
    });

    test("a wrong become password is a clear error, not a hang", async () => {
      const runner = alice("not the password");
      try {
        const r = await runner.run(ensureFile({ path: "/root/sudo-proof-2", content: "x\n" }));
        expect(r.failed).toBe(true);
        expect(r.message).toMatch(/become password was rejected/);
      } finally {
        await runner.close();
      }
    });

    test("a missing become password is a clear error naming what to set", async () => {
      const runner = alice(undefined);
      try {
        const r = await runner.run(ensureFile({ path: "/root/sudo-proof-3", content: "x\n" }));
        expect(r.message).toMatch(/a password is required[\s\S]*ansible_become_password/);
      } finally {
        await runner.close();
      }
    });
  });

  describe("faults", () => {
    test("a connection cut in the middle of an upload leaves the old content and no temp file", async () => {
      const host = lab().hosts[0] as { sshPort: number };
      await sshExec(host, "mkdir -p /srv/cut && printf 'old\\n' > /srv/cut/file");
      const big = Buffer.alloc(64 * 1024 * 1024, 97);
      // The host reads the first MiB and then pauses, so the cut falls inside the upload however fast
      // loopback is (a timer raced the whole 64 MiB on a quick run). Only the read is slowed: the rest
      // of the command (checksum, trap, rename) is the one atomicWrite sends.
      const write = atomicWrite("/srv/cut/file", big);
      const reading = 'cat > "$t" &&';
      expect(write.text).toContain(reading);
      const slowed = { ...write, text: write.text.replace(reading, '{ head -c 1048576; sleep 3; cat; } > "$t" &&') };
      const c = new SshConnection(spec());
      await c.open();
      const upload = c.exec(slowed).catch((e: unknown) => e);
      await sshExec(host, 'until [ "$(cat /srv/cut/.bosun.* 2>/dev/null | wc -c)" -ge 1048576 ]; do sleep 0.05; done');
      // Cut the connection: kill this client's sshd session (the kill also ends the session running it).
      await sshExec(host, "pkill -KILL -f 'sshd: root@notty' || true", { allowFailure: true });
      const outcome = await upload;
      await c.close();
      expect(outcome instanceof Error || (outcome as { code: number }).code !== 0).toBe(true);
      // The host's shell reads the rest to end of file, finds the checksum wrong and its trap removes the temp file.
      const after = await sshExec(
        host,
        'for i in $(seq 100); do [ "$(ls -A /srv/cut)" = file ] && break; sleep 0.1; done; cat /srv/cut/file; ls -A /srv/cut',
      );
      expect(after.stdout).toBe("old\nfile\n");
    });

    test("a full disk on the target is a clear error and the old file is intact", async () => {
      const host = lab().hosts[0] as { sshPort: number };
      await sshExec(
        host,
        "mkdir -p /mnt/tiny && (mountpoint -q /mnt/tiny || mount -t tmpfs -o size=1m tmpfs /mnt/tiny) && printf 'old\\n' > /mnt/tiny/file",
      );
      const runner = new TaskRunner({ name: "h", sshPort: host.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath });
      try {
        const r = await runner.run(ensureFile({ path: "/mnt/tiny/file", content: "x".repeat(4 * 1024 * 1024) }));
        expect(r.failed).toBe(true);
        expect(r.message).toMatch(/No space left on device|arrived incomplete/);
        expect(runner.sh("cat /mnt/tiny/file; ls -A /mnt/tiny").stdout).toBe("old\nfile\n");
      } finally {
        await runner.close();
      }
    });
  });
});
