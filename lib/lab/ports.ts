import { createServer, type Server } from "node:net";

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      if (addr && typeof addr === "object") resolve(addr.port);
      else reject(new Error("Cannot pick a free port: the socket has no address"));
    });
  });
}

/**
 * `count` distinct TCP ports free on 127.0.0.1 right now (the kernel picks them). Free is not
 * reserved: callers bind them soon and retry when docker says "port is already allocated".
 */
export async function freeLocalPorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map(listen));
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
  }
}
