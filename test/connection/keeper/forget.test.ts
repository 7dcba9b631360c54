import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "../../../lib/core/command.js";
import type { ExecResult, SshSpec } from "../../../lib/core/connection.js";
import { ConnectionKeeper, type KeptSsh } from "../../../lib/connection/keeper/keeper.js";
import { forgetKeptConnections } from "../../../lib/connection/keeper/forget.js";
import { KeptConnection } from "../../../lib/connection/keeper/kept-connection.js";
import { keeperSocket } from "../../../lib/connection/keeper/socket-path.js";

/** A kept login that only records that it was closed. */
class Login implements KeptSsh {
  readonly kind = "ssh" as const;
  readonly user = "root";
  lost = false;
  closed = false;
  async open(): Promise<void> {}
  async exec(_command: Command): Promise<ExecResult> {
    return { code: 0, stdout: "", stderr: "", durationMs: 0 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const spec = (host: string): SshSpec => ({
  kind: "ssh",
  host,
  port: 22,
  user: "root",
  hostKeyPolicy: "strict",
  connectTimeoutMs: 1000,
  connectRetries: 0,
});

test("forget-connections ends every kept connection and the keeper, even with a run attached; the next attach finds none", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "keeper-forget-"));
  const logins: Login[] = [];
  const keeper = await ConnectionKeeper.start({
    socket: keeperSocket(dir),
    connect: async () => {
      const login = new Login();
      logins.push(login);
      return login;
    },
  });
  keeper.keep(["a", "b"].map((key) => ({ key, spec: spec(key), idleSeconds: 60 })));
  for (let i = 0; i < 100 && logins.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const attached = await KeptConnection.attach(keeperSocket(dir), "a", { user: "root", address: "root@a:22" });
  expect(attached).toBeDefined();
  expect(await forgetKeptConnections(dir)).toBe(2);
  await keeper.ended;
  expect(logins.map((l) => l.closed)).toEqual([true, true]);
  expect(existsSync(keeperSocket(dir))).toBe(false);
  await expect(attached!.exec({ text: "true" })).rejects.toThrow(/kept connection ended/);
  expect(await forgetKeptConnections(dir)).toBeUndefined();
});
