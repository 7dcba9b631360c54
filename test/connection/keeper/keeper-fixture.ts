/** A keeper for unit tests: logins are this machine's /bin/sh, by key (test/connection/keeper/*.test.ts). */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "../../../lib/core/command.js";
import type { ExecResult, SshSpec } from "../../../lib/core/connection.js";
import { UnreachableError } from "../../../lib/core/errors.js";
import { LocalConnection } from "../../../lib/connection/local.js";
import { ConnectionKeeper, type KeptSsh } from "../../../lib/connection/keeper/keeper.js";
import type { KeepOrder } from "../../../lib/connection/keeper/protocol.js";

/** This machine's /bin/sh behind the keeper, standing in for a host's SSH connection. */
export class LocalKept implements KeptSsh {
  readonly kind = "ssh" as const;
  readonly user = "root";
  // controller-tools: sh cat printf sleep (the tests' commands; echo and true are built into sh)
  readonly #local = new LocalConnection();
  lost = false;
  closed = false;
  async open(): Promise<void> {}
  exec(command: Command): Promise<ExecResult> {
    if (this.lost) return Promise.reject(new UnreachableError("Cannot run a command on h: the connection was lost", { hint: "look at h" }));
    return this.#local.exec(command);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

export const spec = (host: string): SshSpec => ({
  kind: "ssh",
  host,
  port: 22,
  user: "root",
  hostKeyPolicy: "strict",
  connectTimeoutMs: 1000,
  connectRetries: 0,
});
export const order = (key: string, idleSeconds: number | null = 60): KeepOrder => ({ key, spec: spec(key), idleSeconds });
export const target = { user: "root", address: "root@h:22" };
export const until = async (condition: () => boolean) => {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** A keeper on a fresh socket whose logins are LocalKept connections, by key. */
export async function keeperWith(orders: KeepOrder[], maxMs?: number) {
  const socket = path.join(mkdtempSync(path.join(os.tmpdir(), "keeper-test-")), "keeper.sock");
  const logins = new Map<string, LocalKept>();
  const keeper = await ConnectionKeeper.start({
    socket,
    connect: async (s) => {
      const c = new LocalKept();
      logins.set(s.host, c);
      return c;
    },
    ...(maxMs ? { maxMs } : {}),
  });
  keeper.keep(orders);
  await until(() => orders.every((o) => logins.has(o.key)));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { socket, keeper, logins };
}
