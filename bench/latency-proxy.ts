/**
 * A TCP latency proxy on loopback, standing in for a WAN (this kernel has no netem): it forwards
 * one listening port to a target port and delays every chunk by `delayMs` in each direction. Each
 * direction is a FIFO, so bytes keep their order; a chunk leaves `delayMs` after it arrived.
 *
 * It also counts round trips per connection, as turns of the conversation: each time the client
 * sends after the server last spoke (or first), one round trip starts. SSH's handshake is counted
 * too; {@link LatencyProxy.connections} keeps each connection's count.
 */
import net from "node:net";

/** What the proxy saw on one connection. */
export interface ProxiedConnection {
  /** Round trips: turns from the server speaking (or the start) to the client speaking. */
  roundTrips: number;
  /** Bytes from the client and from the server. */
  clientBytes: number;
  serverBytes: number;
  /** When the client's first byte arrived (Date.now()): start-up to first byte on the wire, from the spawn. */
  firstClientByteAt?: number;
}

/** A FIFO that delivers each chunk `delayMs` after it was queued, in order. */
class DelayedPipe {
  readonly #queue: { at: number; data: Buffer }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(
    private readonly delayMs: number,
    private readonly out: net.Socket,
  ) {}

  push(data: Buffer): void {
    if (this.delayMs === 0 && this.#queue.length === 0) {
      this.out.write(data);
      return;
    }
    this.#queue.push({ at: performance.now() + this.delayMs, data });
    this.#schedule();
  }

  end(): void {
    this.#ended = true;
    if (this.#queue.length === 0) this.out.end();
  }

  #schedule(): void {
    if (this.#timer || this.#queue.length === 0) return;
    const wait = Math.max(0, (this.#queue[0] as { at: number }).at - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      while (this.#queue.length && (this.#queue[0] as { at: number }).at <= now + 0.5) this.out.write(this.#queue.shift()!.data);
      if (this.#queue.length) this.#schedule();
      else if (this.#ended) this.out.end();
    }, wait);
  }
}

/** One listening port forwarded to `127.0.0.1:targetPort` with a delay each way. */
export class LatencyProxy {
  readonly connections: ProxiedConnection[] = [];
  /** Open connections, each counting into its current record (a kept connection outlives a reset). */
  readonly #open = new Set<{ seen: ProxiedConnection }>();
  readonly #server: net.Server;
  #port = 0;

  private constructor(
    readonly targetPort: number,
    readonly delayMs: number,
  ) {
    this.#server = net.createServer((client) => this.#accept(client));
  }

  /** Start a proxy on a free loopback port. */
  static async start(targetPort: number, delayMs: number): Promise<LatencyProxy> {
    const proxy = new LatencyProxy(targetPort, delayMs);
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    proxy.#port = (proxy.#server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** The port to connect to instead of the target. */
  get port(): number {
    return this.#port;
  }

  /** Forget what was seen so far (between runs); a connection still open counts afresh from here. */
  reset(): void {
    this.connections.length = 0;
    for (const open of this.#open) {
      open.seen = { roundTrips: 0, clientBytes: 0, serverBytes: 0 };
      this.connections.push(open.seen);
    }
  }

  #accept(client: net.Socket): void {
    const open = { seen: { roundTrips: 0, clientBytes: 0, serverBytes: 0 } as ProxiedConnection };
    this.connections.push(open.seen);
    this.#open.add(open);
    const server = net.connect(this.targetPort, "127.0.0.1");
    client.setNoDelay(true);
    server.setNoDelay(true);
    const toServer = new DelayedPipe(this.delayMs, server);
    const toClient = new DelayedPipe(this.delayMs, client);
    let last: "client" | "server" | undefined;
    client.on("data", (d: Buffer) => {
      open.seen.firstClientByteAt ??= Date.now();
      if (last !== "client") open.seen.roundTrips++;
      last = "client";
      open.seen.clientBytes += d.length;
      toServer.push(d);
    });
    server.on("data", (d: Buffer) => {
      last = "server";
      open.seen.serverBytes += d.length;
      toClient.push(d);
    });
    client.on("end", () => toServer.end());
    server.on("end", () => toClient.end());
    const close = () => {
      client.destroy();
      server.destroy();
    };
    client.on("close", () => this.#open.delete(open));
    client.on("error", close);
    server.on("error", close);
  }

  /** Stop listening and drop open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
