/** Open the right connection for a spec. */
import type { Connection, ConnectionSpec } from "../core/connection.js";
import { SshConnection } from "./ssh.js";
import { LocalConnection } from "./local.js";

/** A connection (not yet opened) for a spec. */
export function createConnection(spec: ConnectionSpec): Connection {
  return spec.kind === "local" ? new LocalConnection() : new SshConnection(spec);
}
