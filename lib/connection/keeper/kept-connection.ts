/** A run's side of a kept connection: commands sent to the host's keeper (keeper.ts) instead of over SSH. */
import net from "node:net";
import { stdinBytes, type Command } from "../../core/command.js";
import type { CloseOptions, Connection, ExecResult } from "../../core/connection.js";
import { UnreachableError } from "../../core/errors.js";
import { encodeMessage, MessageReader, type KeeperAnswer, type KeeperRequest } from "./protocol.js";

type Pending = { resolve: (a: KeeperAnswer) => void; reject: (e: Error) => void };
type Request = KeeperRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

/** A connection through a keeper's socket. */
export class KeptConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly #socket: net.Socket;
  readonly #address: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #gone: Error | undefined;

  private constructor(
    socket: net.Socket,
    readonly user: string,
    address: string,
  ) {
    this.#socket = socket;
    this.#address = address;
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
      this.#gone ??= new UnreachableError(`Cannot finish a command on ${this.#address}: its kept connection ended`);
      for (const p of this.#pending.values()) p.reject(this.#gone);
      this.#pending.clear();
    });
  }

  /** The kept connection on `socket`, when a keeper listens there and its connection is alive; else undefined. */
  static async attach(socket: string, target: { user: string; address: string }): Promise<KeptConnection | undefined> {
    const stream = await new Promise<net.Socket | undefined>((resolve) => {
      const s = net.connect(socket);
      s.once("connect", () => resolve(s));
      s.once("error", () => resolve(undefined));
    });
    if (!stream) return undefined;
    const kept = new KeptConnection(stream, target.user, target.address);
    const hello = await kept.#ask({ op: "hello" }).catch(() => undefined);
    if (hello && "alive" in hello && hello.alive) return kept;
    stream.destroy();
    return undefined;
  }

  #ask(request: Request): Promise<KeeperAnswer> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.write(encodeMessage({ ...request, id } as KeeperRequest));
    });
  }

  async open(): Promise<void> {}

  async exec(command: Command): Promise<ExecResult> {
    const input = stdinBytes(command);
    const answer = await this.#ask({
      op: "exec",
      text: command.text,
      ...(input === undefined ? {} : { stdin: Buffer.from(input).toString("base64") }),
    });
    if ("result" in answer) return answer.result;
    if ("error" in answer) {
      const { message, unreachable, hint } = answer.error;
      throw unreachable ? new UnreachableError(message, hint ? { hint } : {}) : new Error(message);
    }
    throw new Error(`unexpected answer from the keeper of ${this.#address}`);
  }

  /** Detach; unless `keep`, the keeper ends and closes its connection first. */
  async close(options?: CloseOptions): Promise<void> {
    if (!options?.keep && !this.#gone) await this.#ask({ op: "end" }).catch(() => undefined);
    this.#socket.end();
  }
}
