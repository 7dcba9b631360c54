import { createServer, type AddressInfo, type Socket } from "node:net";
import { discardEarlyHandshakes, handshakeSocket, startEarlyHandshakes } from "../../lib/connection/early-handshake.js";

/** A stand-in sshd that greets and records what the client sends. */
async function standIn() {
  const received: Buffer[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.write("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
    socket.on("data", (d: Buffer) => received.push(d));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const text = () => Buffer.concat(received).toString("latin1");
  const close = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { port, text, close };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
};

afterEach(() => discardEarlyHandshakes());

test("the identification line goes out as soon as the TCP connection is up, before ssh2 is there", async () => {
  const sshd = await standIn();
  try {
    const socket = handshakeSocket({ host: "127.0.0.1", port: sshd.port, hostKeyPolicy: "strict" }, "ssh2js9.9.9");
    await until(() => sshd.text().length > 0);
    expect(sshd.text()).toBe("SSH-2.0-ssh2js9.9.9\r\n");
    socket.destroy();
  } finally {
    sshd.close();
  }
});

test("ssh2 then names the same version and does not send the line again: its key exchange offer follows", async () => {
  const sshd = await standIn();
  try {
    await startEarlyHandshakes([{ host: "127.0.0.1", port: sshd.port, hostKeyPolicy: "off" }]);
    await until(() => sshd.text().includes("curve25519"));
    const text = sshd.text();
    expect(text).toMatch(/^SSH-2\.0-ssh2js\d+\.\d+\.\d+\r\n/);
    expect(text.split("SSH-2.0-")).toHaveLength(2); // one identification line
    expect(text).toContain("curve25519-sha256"); // the KEXINIT, right after it
  } finally {
    sshd.close();
  }
});
