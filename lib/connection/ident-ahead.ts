/**
 * The client's SSH identification line (`SSH-2.0-ssh2js<version>`), sent by bosun itself as soon as
 * a TCP connection is up, before ssh2 has loaded. sshd answers a client's line with its key
 * exchange offer, so the offer is already there when ssh2 starts, and the key exchange takes one
 * round trip less. ssh2 is then told to name the same version (the line is part of the exchange
 * hash) and its own identical line is not sent a second time.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Socket } from "node:net";

let version: string | null | undefined;

/** ssh2's own software version (`ssh2js1.17.0`), read from its package.json; undefined when ssh2 cannot be found. */
export function ssh2Ident(): string | undefined {
  if (version === undefined) {
    try {
      const require = createRequire(import.meta.url);
      version = `ssh2js${(JSON.parse(readFileSync(require.resolve("ssh2/package.json"), "utf8")) as { version: string }).version}`;
    } catch {
      version = null;
    }
  }
  return version ?? undefined;
}

/** Sockets that send their identification line themselves once connected, with that line. */
const sentLines = new WeakMap<Socket, Buffer>();

/** Send `ident`'s line on `socket` once it connects (call before ssh2 gets the socket: ssh2 starts on the same event, after this). */
export function sendIdentOnConnect(socket: Socket, ident: string | undefined = ssh2Ident()): void {
  if (ident === undefined) return;
  const line = Buffer.from(`SSH-2.0-${ident}\r\n`);
  sentLines.set(socket, line);
  socket.once("connect", () => socket.write(line));
}

/**
 * For ssh2's config when `socket` sends its own line: the version to name (`{ ident }`), with ssh2's
 * first write on the socket cut to what follows the line; `onMismatch` when that write does not start
 * with it (it is then not sent: the connection cannot go on). Empty when the socket sends none.
 */
export function identAhead(socket: Socket, onMismatch: () => void): { ident?: string } {
  const sent = sentLines.get(socket);
  if (!sent) return {};
  const write = socket.write.bind(socket) as (data: Buffer) => boolean;
  (socket as { write: (data: Buffer) => boolean }).write = (data: Buffer) => {
    (socket as { write: unknown }).write = write;
    if (!Buffer.isBuffer(data) || !data.subarray(0, sent.length).equals(sent)) {
      onMismatch();
      return false;
    }
    return data.length === sent.length ? true : write(data.subarray(sent.length));
  };
  return { ident: sent.subarray("SSH-2.0-".length, sent.length - 2).toString("latin1") };
}
