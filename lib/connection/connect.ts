/** Open the right connection for a spec. */
import type { Connection, ConnectionSpec } from "../core/connection.js";
import { KeepingSshConnection } from "./keeper/keeping-ssh.js";
import { LocalConnection } from "./local.js";

/** A connection (not yet opened) for a spec: over SSH, one that may be kept between runs (keeper/keeping-ssh.ts). */
export function createConnection(spec: ConnectionSpec): Connection {
  return spec.kind === "local" ? new LocalConnection() : new KeepingSshConnection(spec);
}
