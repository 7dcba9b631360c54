/**
 * A connection keeper: the process that keeps one host's SSH connection open between runs (as
 * OpenSSH's ControlMaster with ControlPersist) and runs the commands runs send it over its Unix
 * socket. It ends when no run has used it for its idle time, when the SSH connection is lost,
 * when a run asks it to (that run changed the host, see CloseOptions.keep), or when a run
 * disconnects while one of its commands still runs — as a run that dies takes its own SSH
 * connection and the commands on it down, so does a run that dies on a kept one. However often it
 * is used, a login is kept at most {@link MAX_KEPT_MS}: a key or password revoked on the host stops
 * working for bosun within that time.
 */
import { chmodSync, existsSync, statSync, unlinkSync } from "node:fs";
import net from "node:net";
import type { Connection } from "../../core/connection.js";
import { UnreachableError } from "../../core/errors.js";
import { encodeMessage, MessageReader, type KeeperAnswer, type KeeperRequest } from "./protocol.js";

/** The longest a keeper keeps its login, used or not: it takes no new run after this and ends once none is attached. */
export const MAX_KEPT_MS = 15 * 60 * 1000;

/** What a keeper keeps: an open connection that can say when it was lost. */
export type KeptSsh = Connection & { readonly lost: boolean };

/** Options of {@link ConnectionKeeper.start}. */
export interface KeeperOptions {
  /** The Unix socket to listen on. */
  readonly socket: string;
  /** End after this long with no run attached (Infinity: never). */
  readonly idleMs: number;
  /** The open connection to keep. */
  readonly connection: KeptSsh;
  /** Where the keeper says what it does (never a command's text or input). */
  readonly log?: (line: string) => void;
  /** The longest it keeps its login ({@link MAX_KEPT_MS}). */
  readonly maxMs?: number;
}

/** Another live keeper already listens on the socket. */
export class KeeperTakenError extends Error {}

/** Serves one kept connection on a Unix socket; see the module's comment. */
export class ConnectionKeeper {
  readonly #opts: KeeperOptions;
  readonly #server: net.Server;
  readonly #runs = new Map<net.Socket, number>(); // attached runs → commands in flight
  #idle: NodeJS.Timeout | undefined;
  #watch: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #expired = false;
  #inode: number | undefined;
  #stopping: Promise<void> | undefined;
  #endedResolve!: () => void;
  /** Settles when the keeper has stopped. */
  readonly ended = new Promise<void>((resolve) => (this.#endedResolve = resolve));

  private constructor(opts: KeeperOptions) {
    this.#opts = opts;
    this.#server = net.createServer((socket) => this.#attach(socket));
  }

  /** Listen on `opts.socket`; a stale socket file is replaced, a live keeper's is not (KeeperTakenError). */
  static async start(opts: KeeperOptions): Promise<ConnectionKeeper> {
    const keeper = new ConnectionKeeper(opts);
    await keeper.#listen();
    keeper.#armIdle();
    keeper.#watch = setInterval(() => {
      if (opts.connection.lost) void keeper.stop("the SSH connection was lost");
    }, 1000);
    keeper.#watch.unref();
    keeper.#expiry = setTimeout(() => {
      keeper.#expired = true;
      if (keeper.#runs.size === 0) void keeper.stop("kept as long as a login may be");
    }, opts.maxMs ?? MAX_KEPT_MS);
    return keeper;
  }

  async #listen(): Promise<void> {
    const bind = () =>
      new Promise<void>((resolve, reject) => {
        this.#server.once("error", reject);
        this.#server.listen(this.#opts.socket, () => {
          this.#server.off("error", reject);
          resolve();
        });
      });
    try {
      await bind();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
      if (await answers(this.#opts.socket)) throw new KeeperTakenError(`a keeper already listens on ${this.#opts.socket}`);
      unlinkSync(this.#opts.socket);
      await bind();
    }
    chmodSync(this.#opts.socket, 0o600);
    this.#inode = statSync(this.#opts.socket).ino;
    this.#opts.log?.(`listening on ${this.#opts.socket}`);
  }

  #attach(socket: net.Socket): void {
    this.#runs.set(socket, 0);
    this.#disarmIdle();
    const reader = new MessageReader<KeeperRequest>();
    socket.on("data", (chunk) => {
      let requests: KeeperRequest[];
      try {
        requests = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const request of requests) void this.#serve(socket, request);
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      const inFlight = this.#runs.get(socket) ?? 0;
      this.#runs.delete(socket);
      if (inFlight > 0) void this.stop("a run left while its command still ran");
      else if (this.#expired && this.#runs.size === 0) void this.stop("kept as long as a login may be");
      else this.#armIdle();
    });
  }

  async #serve(socket: net.Socket, request: KeeperRequest): Promise<void> {
    const answer = (a: KeeperAnswer) => {
      if (!socket.destroyed) socket.write(encodeMessage(a));
    };
    if (request.op === "hello") return answer({ id: request.id, alive: !this.#opts.connection.lost && !this.#stopping && !this.#expired });
    if (request.op === "end") {
      answer({ id: request.id, ended: true });
      return this.stop("a run changed its host");
    }
    this.#runs.set(socket, (this.#runs.get(socket) ?? 0) + 1);
    try {
      const stdin = request.stdin === undefined ? undefined : Buffer.from(request.stdin, "base64");
      const result = await this.#opts.connection.exec({ text: request.text, ...(stdin ? { stdin } : {}) });
      answer({ id: request.id, result });
    } catch (e) {
      const error = e as Error;
      const hint = e instanceof UnreachableError ? e.context.hint : undefined;
      answer({ id: request.id, error: { message: error.message, unreachable: e instanceof UnreachableError, ...(hint ? { hint } : {}) } });
    } finally {
      if (this.#runs.has(socket)) this.#runs.set(socket, (this.#runs.get(socket) ?? 1) - 1);
    }
  }

  #armIdle(): void {
    this.#disarmIdle();
    if (this.#runs.size > 0 || this.#stopping || !Number.isFinite(this.#opts.idleMs)) return;
    this.#idle = setTimeout(() => void this.stop("idle"), this.#opts.idleMs);
  }

  #disarmIdle(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = undefined;
  }

  /** Stop: no new runs, the socket removed (if still ours), the connection closed. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= (async () => {
      this.#opts.log?.(`ending: ${reason}`);
      this.#disarmIdle();
      if (this.#watch) clearInterval(this.#watch);
      if (this.#expiry) clearTimeout(this.#expiry);
      this.#server.close();
      try {
        if (existsSync(this.#opts.socket) && statSync(this.#opts.socket).ino === this.#inode) unlinkSync(this.#opts.socket);
      } catch {
        // already gone
      }
      for (const socket of this.#runs.keys()) socket.destroy();
      await this.#opts.connection.close().catch(() => undefined);
      this.#endedResolve();
    })();
    return this.#stopping;
  }
}

/** Whether something answers on `socket`. */
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(socket);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}
