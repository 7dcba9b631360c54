/**
 * The keeper: one process per user that keeps hosts' SSH connections open between runs (as
 * OpenSSH's ControlMaster with ControlPersist) and runs the commands runs send it over its Unix
 * socket. A connection is kept under its key until no run has used it for its idle time, the SSH
 * connection is lost, a run asks to end it (that run changed the host, see CloseOptions.keep), or a
 * run disconnects while one of its commands on it still runs — as a run that dies takes its own
 * SSH connection and the commands on it down, so does a run that dies on a kept one. However often
 * it is used, a login is kept at most {@link MAX_KEPT_MS}: a key or password revoked on the host
 * stops working for bosun within that time. With no connection left and no run attached, the
 * keeper ends.
 */
import { chmodSync, existsSync, statSync, unlinkSync } from "node:fs";
import net from "node:net";
import type { Connection, SshSpec } from "../../core/connection.js";
import { UnreachableError } from "../../core/errors.js";
import { encodeMessage, MessageReader, type KeepOrder, type KeeperAnswer, type KeeperRequest } from "./protocol.js";

/** The longest a login is kept, used or not: it takes no new run after this and ends once none is attached. */
export const MAX_KEPT_MS = 15 * 60 * 1000;

/** What a keeper keeps: an open connection that can say when it was lost. */
export type KeptSsh = Connection & { readonly lost: boolean };

/** Options of {@link ConnectionKeeper.start}. */
export interface KeeperOptions {
  /** The Unix socket to listen on. */
  readonly socket: string;
  /** Log in to a host (with its shell session started); throws when it cannot. */
  readonly connect: (spec: SshSpec) => Promise<KeptSsh>;
  /** Where the keeper says what it does (never a command's text or input). */
  readonly log?: (line: string) => void;
  /** The longest it keeps a login ({@link MAX_KEPT_MS}). */
  readonly maxMs?: number;
}

/** Another live keeper already listens on the socket. */
export class KeeperTakenError extends Error {}

/** One kept connection. */
interface Kept {
  readonly key: string;
  readonly idleMs: number;
  connection?: KeptSsh;
  /** Attached runs → their commands in flight on this connection. */
  readonly runs: Map<net.Socket, number>;
  idle?: NodeJS.Timeout;
  expiry?: NodeJS.Timeout;
  /** Past its age limit, or a run changed its host: no new run; it ends when the last attached run leaves. */
  expired: boolean;
}

/** Serves kept connections on a Unix socket; see the module's comment. */
export class ConnectionKeeper {
  readonly #opts: KeeperOptions;
  readonly #server: net.Server;
  readonly #kept = new Map<string, Kept>();
  readonly #clients = new Set<net.Socket>();
  #watch: NodeJS.Timeout | undefined;
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
    keeper.#watch = setInterval(() => {
      for (const kept of keeper.#kept.values()) if (kept.connection?.lost) keeper.#end(kept, "the SSH connection was lost");
    }, 1000);
    keeper.#watch.unref();
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

  /** Keep what `orders` say (logging in now, in the background); a key kept already stays as it is. */
  keep(orders: readonly KeepOrder[]): void {
    for (const order of orders) {
      if (this.#stopping || this.#kept.has(order.key)) continue;
      const kept: Kept = {
        key: order.key,
        idleMs: order.idleSeconds === null ? Infinity : order.idleSeconds * 1000,
        runs: new Map(),
        expired: false,
      };
      this.#kept.set(order.key, kept);
      void this.#opts.connect(order.spec).then(
        (connection) => {
          if (this.#kept.get(kept.key) !== kept) return void connection.close().catch(() => undefined);
          kept.connection = connection;
          kept.expiry = setTimeout(() => {
            kept.expired = true;
            if (kept.runs.size === 0) this.#end(kept, "kept as long as a login may be");
          }, this.#opts.maxMs ?? MAX_KEPT_MS);
          this.#opts.log?.(`kept ${kept.key}`);
          this.#armIdle(kept);
        },
        (e: Error) => {
          this.#opts.log?.(`cannot keep ${kept.key}: ${e.message}`);
          this.#forget(kept);
        },
      );
    }
  }

  #attach(socket: net.Socket): void {
    this.#clients.add(socket);
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
      this.#clients.delete(socket);
      for (const kept of [...this.#kept.values()]) {
        const inFlight = kept.runs.get(socket);
        if (inFlight === undefined) continue;
        kept.runs.delete(socket);
        if (inFlight > 0) this.#end(kept, "a run left while its command still ran");
        else if (kept.expired && kept.runs.size === 0) this.#end(kept, "no longer kept, and its last run left");
        else this.#armIdle(kept);
      }
      this.#stopWhenEmpty();
    });
  }

  #usable(key: string): Kept | undefined {
    const kept = this.#kept.get(key);
    return kept?.connection && !kept.connection.lost && !kept.expired ? kept : undefined;
  }

  async #serve(socket: net.Socket, request: KeeperRequest): Promise<void> {
    const answer = (a: KeeperAnswer) => {
      if (!socket.destroyed) socket.write(encodeMessage(a));
    };
    if (request.op === "keep") {
      this.keep(request.orders);
      return answer({ id: request.id, done: true });
    }
    if (request.op === "stop") {
      answer({ id: request.id, ended: this.#kept.size });
      // Its answer is flushed before the keeper's other sockets are destroyed.
      this.#clients.delete(socket);
      socket.end();
      return void this.stop("asked to end every kept connection");
    }
    const kept = this.#kept.get(request.key);
    if (request.op === "end") {
      // Another run still attached (two runs on one host at once) finishes on it first.
      if (kept) {
        kept.expired = true;
        kept.runs.delete(socket);
        if (kept.runs.size === 0) this.#end(kept, "a run changed its host");
      }
      return answer({ id: request.id, done: true });
    }
    if (request.op === "hello") {
      const usable = this.#usable(request.key);
      if (usable && !usable.runs.has(socket)) {
        usable.runs.set(socket, 0);
        this.#disarmIdle(usable);
      }
      return answer({ id: request.id, alive: !!usable && !this.#stopping });
    }
    const connection = kept?.runs.has(socket) ? kept.connection : undefined;
    if (!kept || !connection) {
      const message = "Cannot run a command: its kept connection has ended";
      return answer({ id: request.id, error: { message, unreachable: true } });
    }
    kept.runs.set(socket, (kept.runs.get(socket) ?? 0) + 1);
    try {
      const stdin = request.stdin === undefined ? undefined : Buffer.from(request.stdin, "base64");
      const result = await connection.exec({ text: request.text, ...(stdin ? { stdin } : {}) });
      answer({ id: request.id, result });
    } catch (e) {
      const error = e as Error;
      const hint = e instanceof UnreachableError ? e.context.hint : undefined;
      answer({ id: request.id, error: { message: error.message, unreachable: e instanceof UnreachableError, ...(hint ? { hint } : {}) } });
    } finally {
      const n = kept.runs.get(socket);
      if (n !== undefined) kept.runs.set(socket, n - 1);
    }
  }

  #armIdle(kept: Kept): void {
    this.#disarmIdle(kept);
    if (kept.runs.size > 0 || !kept.connection || !Number.isFinite(kept.idleMs)) return;
    kept.idle = setTimeout(() => this.#end(kept, "idle"), kept.idleMs);
  }

  #disarmIdle(kept: Kept): void {
    if (kept.idle) clearTimeout(kept.idle);
    kept.idle = undefined;
  }

  /** End one kept connection: its runs detached, its login closed. */
  #end(kept: Kept, reason: string): void {
    if (this.#kept.get(kept.key) !== kept) return;
    this.#opts.log?.(`ending ${kept.key}: ${reason}`);
    for (const socket of kept.runs.keys()) socket.destroy();
    void kept.connection?.close().catch(() => undefined);
    this.#forget(kept);
  }

  #forget(kept: Kept): void {
    this.#disarmIdle(kept);
    if (kept.expiry) clearTimeout(kept.expiry);
    if (this.#kept.get(kept.key) === kept) this.#kept.delete(kept.key);
    this.#stopWhenEmpty();
  }

  #stopWhenEmpty(): void {
    if (this.#kept.size === 0 && this.#clients.size === 0) void this.stop("nothing left to keep");
  }

  /** Stop: no new runs, the socket removed (if still ours), every connection closed. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= (async () => {
      this.#opts.log?.(`ending: ${reason}`);
      if (this.#watch) clearInterval(this.#watch);
      this.#server.close();
      try {
        if (existsSync(this.#opts.socket) && statSync(this.#opts.socket).ino === this.#inode) unlinkSync(this.#opts.socket);
      } catch {
        // already gone
      }
      for (const socket of this.#clients) socket.destroy();
      const connections = [...this.#kept.values()].map((k) => k.connection);
      for (const kept of this.#kept.values()) {
        this.#disarmIdle(kept);
        if (kept.expiry) clearTimeout(kept.expiry);
      }
      this.#kept.clear();
      await Promise.all(connections.map((c) => c?.close().catch(() => undefined)));
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
