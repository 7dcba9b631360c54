import { chmodSync, mkdtempSync, statSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { SshSpec } from "../../../lib/core/connection.js";
import { keeperDir, keeperKey, keeperSocket, unsafeKeeperDir } from "../../../lib/connection/keeper/socket-path.js";

const spec: SshSpec = {
  kind: "ssh",
  host: "203.0.113.9",
  port: 22,
  user: "deploy",
  privateKeyPath: "/keys/id",
  hostKeyPolicy: "strict",
  connectTimeoutMs: 10000,
  connectRetries: 2,
};

describe("keeperKey()", () => {
  test("one key per way of reaching a host", () => {
    const names = [
      spec,
      { ...spec, host: "203.0.113.10" },
      { ...spec, port: 2222 },
      { ...spec, user: "root" },
      { ...spec, privateKeyPath: "/keys/other" },
      { ...spec, knownHostsPath: "/k" },
      { ...spec, hostKeyPolicy: "off" as const },
      { ...spec, jump: { ...spec, host: "bastion" } },
      { ...spec, proxyCommand: "nc %h %p" },
    ].map((s) => keeperKey(s));
    expect(new Set(names).size).toBe(names.length);
  });

  test("the key is a hash of how the host is reached, never of a password or passphrase", () => {
    const a = keeperKey(spec);
    expect(keeperKey({ ...spec, password: "pw", passphrase: "ph" })).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{24}$/);
  });

  test("the keeper's socket stays well inside a Unix socket path's 107 bytes in the default directory", () => {
    expect(Buffer.byteLength(keeperSocket(keeperDir({})))).toBeLessThan(60);
  });
});

describe("keeperDir()", () => {
  test("BOSUN_KEEPER_DIR, else $XDG_RUNTIME_DIR/bosun, else a directory of this user's in the temp dir", () => {
    expect(keeperDir({ BOSUN_KEEPER_DIR: "/x", XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/x");
    expect(keeperDir({ XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/bosun");
    expect(keeperDir({})).toBe(path.join(os.tmpdir(), `bosun-${os.userInfo().uid}`));
  });
});

describe("unsafeKeeperDir()", () => {
  const base = () => mkdtempSync(path.join(os.tmpdir(), "keeper-dir-"));

  test("makes a missing directory for this user only", () => {
    const dir = path.join(base(), "keep");
    expect(unsafeKeeperDir(dir)).toBeUndefined();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  test("refuses a directory others may enter, saying how to fix it", () => {
    const dir = base();
    chmodSync(dir, 0o755);
    expect(unsafeKeeperDir(dir)).toBe(`${dir} is open to other users (mode 755; chmod 700 it)`);
  });

  test("refuses a symlink in place of the directory", () => {
    const dir = base();
    const link = path.join(base(), "link");
    symlinkSync(dir, link);
    expect(unsafeKeeperDir(link)).toBe(`${link} is not a directory`);
  });
});
