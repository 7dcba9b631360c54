/** A TCP server standing in for sshd, and this process's cache and keeper directories in a temp dir: for the handshakes started ahead. */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Socket } from "node:net";
import path from "node:path";
import { saveStartHint, startHintFile } from "../../lib/cli/start-hint.js";
import { discardEarlyHandshakes } from "../../lib/connection/early-handshake.js";
import { keeperDir, keeperSocket } from "../../lib/connection/keeper/socket-path.js";

export interface HandshakeFixture {
  /** Connections the stand-in accepted. */
  readonly accepted: Socket[];
  /** Give `playbook` with `args` a hint naming the stand-in. */
  hint(playbook: string, args: readonly string[]): Promise<void>;
  /** Wait up to 2 s for `count` connections. */
  connections(count: number): Promise<number>;
  /** Put a (stand-in) keeper socket where a listening keeper's would be. */
  keeperListens(): void;
  /** A new process as far as the handshakes ahead go (once per process). */
  newProcess(): void;
  close(): void;
}

export async function handshakeFixture(dir: string): Promise<HandshakeFixture> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const saved = { cache: process.env.BOSUN_CACHE_DIR, keeper: process.env.BOSUN_KEEPER_DIR };
  process.env.BOSUN_CACHE_DIR = path.join(dir, "cache");
  process.env.BOSUN_KEEPER_DIR = path.join(dir, "keeper");
  const restore = (name: string, value: string | undefined) =>
    value === undefined ? delete process.env[name] : (process.env[name] = value);
  return {
    accepted,
    hint: (playbook, args) =>
      saveStartHint(
        startHintFile(playbook, args, process.cwd()),
        { targets: [], kept: [] },
        { targets: [{ host: "127.0.0.1", port, hostKeyPolicy: "strict" }], kept: [] },
      ),
    async connections(count) {
      for (let i = 0; i < 100 && accepted.length < count; i++) await new Promise((r) => setTimeout(r, 20));
      return accepted.length;
    },
    keeperListens() {
      mkdirSync(keeperDir(), { recursive: true });
      writeFileSync(keeperSocket(keeperDir()), "");
    },
    newProcess: () => delete (globalThis as Record<symbol, unknown>)[Symbol.for("bosun.connectionsAhead")],
    close() {
      discardEarlyHandshakes();
      for (const socket of accepted) socket.destroy();
      server.close();
      restore("BOSUN_CACHE_DIR", saved.cache);
      restore("BOSUN_KEEPER_DIR", saved.keeper);
    },
  };
}
