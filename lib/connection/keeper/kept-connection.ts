/** A run's side of a kept connection: commands sent to the keeper (keeper.ts) instead of over SSH. */
import net from "node:net";
import { stdinBytes, type Command } from "../../core/command.js";
import type { CloseOptions, Connection, ExecResult } from "../../core/connection.js";
import { UnreachableError } from "../../core/errors.js";
import { encodeMessage, MessageReader, type KeeperAnswer, type KeeperRequest } from "./protocol.js";

type Pending = { resolve: (a: KeeperAnswer) => void; reject: (e: Error) => void };
/** A request before it gets its id. */
export type KeeperAsk = KeeperRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A conversation with the keeper: requests out, answers matched back by id. */
export class KeeperClient {
  readonly #socket: net.Socket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #gone: Error | undefined;

  private constructor(socket: net.Socket, gone: () => Error) {
    this.#socket = socket;
    const reader = new MessageReader<KeeperAnswer>();
    socket.on("data", (chunk) => {
      try {
        for (const answer of reader.push(chunk)) {
          this.#pending.get(answer.id)?.resolve(answer);
          this.#pending.delete(answer.id);
        }
      } catch (e) {
        socket.destroy(e as Error);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.#gone ??= gone();
      for (const p of this.#pending.values()) p.reject(this.#gone);
      this.#pending.clear();
    });
  }

  /** A conversation with the keeper on `socket`; undefined when none listens. */
  static connect(socket: string, gone: () => Error): Promise<KeeperClient | undefined> {
    return new Promise((resolve) => {
      const s = net.connect(socket);
      s.once("connect", () => resolve(new KeeperClient(s, gone)));
      s.once("error", () => resolve(undefined));
    });
  }

  /** A conversation with the keeper on `socket`, at once: requests wait for the connection; when none listens, they fail with `gone()`. */
  static connectNow(socket: string, gone: () => Error): KeeperClient {
    return new KeeperClient(net.connect(socket), gone);
  }

  /** Whether the keeper has gone away. */
  get gone(): boolean {
    return this.#gone !== undefined;
  }

  ask(request: KeeperAsk): Promise<KeeperAnswer> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.write(encodeMessage({ ...request, id } as KeeperRequest));
    });
  }

  /** End the conversation. */
  end(): void {
    this.#socket.end();
  }

  /** Whether the conversation keeps the process alive (as a socket's ref and unref). */
  hold(on: boolean): void {
    if (on) this.#socket.ref();
    else this.#socket.unref();
  }
}

/** A connection kept by the keeper, used through its socket. */
export class KeptConnection implements Connection {
  readonly kind = "ssh" as const;

  readonly #client: KeeperClient;
  readonly #key: string;
  readonly #address: string;

  private constructor(client: KeeperClient, key: string, target: { user: string; address: string }) {
    this.#client = client;
    this.#key = key;
    this.user = target.user;
    this.#address = target.address;
  }

  readonly user: string;

  /** The connection kept under `key`, when the keeper on `socket` has it alive; else undefined. */
  static async attach(socket: string, key: string, target: { user: string; address: string }): Promise<KeptConnection | undefined> {
    const gone = () => new UnreachableError(`Cannot finish a command on ${target.address}: its kept connection ended`);
    const client = await KeeperClient.connect(socket, gone);
    if (!client) return undefined;
    const hello = await client.ask({ op: "hello", key }).catch(() => undefined);
    if (hello && "alive" in hello && hello.alive) return new KeptConnection(client, key, target);
    client.end();
    return undefined;
  }

  /**
   * The connection kept under `key`, asked for and used at once: the request for it and the first
   * commands go out together (the keeper answers them in order). When the keeper has no such
   * connection alive, each command fails as unreachable.
   */
  static attachNow(socket: string, key: string, target: { user: string; address: string }): KeptConnection {
    const client = KeeperClient.connectNow(
      socket,
      () => new UnreachableError(`Cannot finish a command on ${target.address}: no keeper listens`),
    );
    void client.ask({ op: "hello", key }).catch(() => undefined);
    return new KeptConnection(client, key, target);
  }

  async open(): Promise<void> {}

  /** Whether waiting for an answer keeps the process alive: yes by default; no for a batch sent ahead that no run may take. */
  hold(on: boolean): void {
    this.#client.hold(on);
  }

  async exec(command: Command): Promise<ExecResult> {
    const input = stdinBytes(command);
    const answer = await this.#client.ask({
      op: "exec",
      key: this.#key,
      text: command.text,
      ...(input === undefined ? {} : { stdin: Buffer.from(input).toString("base64") }),
    });
    if ("result" in answer) return answer.result;
    if ("error" in answer) {
      const { message, unreachable, hint } = answer.error;
      throw unreachable
        ? new UnreachableError(message.replace(/^Cannot run a command:/, `Cannot run a command on ${this.#address}:`), hint ? { hint } : {})
        : new Error(message);
    }
    throw new Error(`unexpected answer from the keeper for ${this.#address}`);
  }

  /** Detach; unless `keep`, the keeper ends this connection first. */
  async close(options?: CloseOptions): Promise<void> {
    if (!options?.keep && !this.#client.gone) await this.#client.ask({ op: "end", key: this.#key }).catch(() => undefined);
    this.#client.end();
  }
}
