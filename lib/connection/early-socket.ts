/**
 * The TCP connection to a host, started before ssh2 is loaded. Loading ssh2 takes a run tens of
 * milliseconds (more through tsx); meanwhile the kernel completes the TCP handshake and sshd
 * starts its process for the connection and sends its greeting, so the SSH handshake starts as
 * soon as ssh2 is there instead of one round trip (and sshd's start) later. The socket is made as
 * ssh2 makes its own, and sends the client's identification line as soon as it is up
 * (ident-ahead.ts); an error before ssh2 takes it is kept and given to the connection attempt,
 * which sees what ssh2 would have reported.
 */
import { Socket } from "node:net";
import type { SshSpec } from "../core/connection.js";
import { sendIdentOnConnect, ssh2Ident } from "./ident-ahead.js";

/** A TCP connection being made, for the first attempt of an SSH connection. */
export class EarlySocket {
  readonly #socket = new Socket();
  #error: Error | undefined;
  #closed = false;

  constructor(host: string, port: number, ident = ssh2Ident()) {
    this.#socket.on("error", (e) => (this.#error ??= e));
    this.#socket.on("close", () => (this.#closed = true));
    sendIdentOnConnect(this.#socket, ident); // sshd's key exchange offer comes back while ssh2 loads (ident-ahead.ts)
    this.#socket.connect({ host, port });
  }

  /** The socket, for ssh2's `sock`; throws what went wrong when it failed or closed before ssh2 took it. */
  take(): Socket {
    if (this.#error) throw this.#error;
    if (this.#closed) throw new Error("Connection lost before handshake");
    return this.#socket;
  }

  /** Close it, unused. */
  discard(): void {
    this.#socket.destroy();
  }
}

/** A TCP connection started now for a host reached directly; undefined through a jump host or a proxy command. */
export function earlySocket(spec: SshSpec): EarlySocket | undefined {
  return spec.jump || spec.proxyCommand ? undefined : new EarlySocket(spec.host, spec.port);
}
