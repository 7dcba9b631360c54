/** OpenSSH's ProxyCommand for a connection: `sh -c` with %h, %p, %r expanded; its stdin and stdout carry the connection. */
import { spawn } from "node:child_process";
import { Duplex } from "node:stream";
import type { SshSpec } from "../core/connection.js";

/** Start `s.proxyCommand`; the stream that carries the SSH connection through it. */
export function proxyCommandStream(s: SshSpec): Duplex {
  const command = (s.proxyCommand ?? "").replace(/%(.)/g, (m, c: string) =>
    c === "h" ? s.host : c === "p" ? String(s.port) : c === "r" ? s.user : c === "%" ? "%" : m,
  );
  const child = spawn("/bin/sh", ["-c", command], { stdio: ["pipe", "pipe", "inherit"] });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on("error", (e) => stream.destroy(e));
  stream.on("close", () => child.kill());
  return stream;
}
