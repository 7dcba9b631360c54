import { createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { EarlySocket, earlySocket } from "../../lib/connection/early-socket.js";
import type { SshSpec } from "../../lib/core/connection.js";

let server: Server;
let port: number;
let greet: (socket: Socket) => void;

let received: string;

beforeEach(async () => {
  received = "";
  greet = (socket) => socket.write("SSH-2.0-test\r\n");
  server = createServer((socket) => {
    socket.on("data", (d: Buffer) => (received += d.toString())); // as sshd, it reads what the client sends
    greet(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const read = (socket: Socket): Promise<string> => new Promise((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString())));

test("the greeting the server sent before the socket was taken is still there to read", async () => {
  const early = new EarlySocket("127.0.0.1", port);
  await sleep(100);
  const socket = early.take();
  expect(await read(socket)).toBe("SSH-2.0-test\r\n");
  socket.destroy();
});

test("the client's identification line goes out as soon as the connection is up, before ssh2 is there", async () => {
  const early = new EarlySocket("127.0.0.1", port, "ssh2js9.9.9");
  await sleep(100);
  expect(received).toBe("SSH-2.0-ssh2js9.9.9\r\n");
  early.discard();
});

test("a refused connection: take() throws the socket's own error (what ssh2 reports)", async () => {
  const closed = port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server = createServer();
  const early = new EarlySocket("127.0.0.1", closed);
  await sleep(100);
  expect(() => early.take()).toThrow(expect.objectContaining({ code: "ECONNREFUSED" }) as Error);
});

test("a connection the server closed before it was taken: take() throws", async () => {
  greet = (socket) => socket.destroy();
  const early = new EarlySocket("127.0.0.1", port);
  await sleep(100);
  expect(() => early.take()).toThrow(/Connection lost before handshake/);
});

test("discard() closes an unused connection", async () => {
  const closed = new Promise<void>((resolve) => (greet = (socket) => socket.on("close", () => resolve())));
  const early = new EarlySocket("127.0.0.1", port);
  await sleep(50);
  early.discard();
  await closed;
});

test("no early connection through a jump host or a proxy command", () => {
  const spec = { host: "127.0.0.1", port, user: "root" } as SshSpec;
  expect(earlySocket({ ...spec, proxyCommand: "nc %h %p" })).toBeUndefined();
  expect(earlySocket({ ...spec, jump: spec })).toBeUndefined();
  const early = earlySocket(spec);
  expect(early).toBeInstanceOf(EarlySocket);
  early?.discard();
});
