/** Use tasks from any script without the CLI: open a host, run tasks, close. */
import type { BecomeSpec, ConnectionSpec, HostKeyPolicy } from "../core/connection.js";
import { createConnection } from "../connection/connect.js";
import type { InventoryHost, Vars } from "../inventory/types.js";
import { RunEvents } from "../core/events.js";
import { Host, type Handler } from "./host.js";

/** A simple SSH target for scripts. */
export interface SshTarget {
  /** A name for messages (defaults to the address). */
  readonly name?: string;
  /** Address. */
  readonly host: string;
  /** Port (22). */
  readonly port?: number;
  /** Login user (root). */
  readonly user?: string;
  /** Private key file. */
  readonly privateKeyPath?: string;
  /** Login password. */
  readonly password?: string;
  /** known_hosts file. */
  readonly knownHostsPath?: string;
  /** Host key policy ("strict"). */
  readonly hostKeyPolicy?: HostKeyPolicy;
  /** Use sudo for every task. */
  readonly sudo?: boolean;
  /** sudo password (sent on stdin). */
  readonly sudoPassword?: string;
  /** Variables the tasks see. */
  readonly vars?: Vars;
}

/** Options of {@link openHost}. */
export interface OpenHostOptions {
  /** Plan only, never apply. */
  readonly check?: boolean;
  /** Render diffs into results. */
  readonly diff?: boolean;
  /** Subscribe to events (commands, task ends) here. */
  readonly events?: RunEvents;
  /** Handlers that `notify` may name; run them with `host.flushHandlers()`. */
  readonly handlers?: Record<string, Handler>;
}

/** A host opened by a script; close it when done. */
export interface OpenedHost extends Host {
  /** Close the connection. */
  close(): Promise<void>;
}

function toInventoryHost(target: SshTarget | InventoryHost): InventoryHost {
  if ("connection" in target) return target;
  const connection: ConnectionSpec = {
    kind: "ssh",
    host: target.host,
    port: target.port ?? 22,
    user: target.user ?? "root",
    privateKeyPath: target.privateKeyPath,
    password: target.password,
    knownHostsPath: target.knownHostsPath,
    hostKeyPolicy: target.hostKeyPolicy ?? "strict",
    connectTimeoutMs: 10000,
    connectRetries: 2,
  };
  const become: BecomeSpec = { enabled: !!target.sudo, password: target.sudoPassword };
  return { name: target.name ?? target.host, groups: ["all"], vars: target.vars ?? {}, connection, become };
}

/**
 * Connect to one host for use from a script.
 * @example
 * const host = await openHost({ host: "203.0.113.10", user: "deploy", sudo: true });
 * await host.run(ensureDir({ path: "/srv/app" }));
 * await host.close();
 */
export async function openHost(target: SshTarget | InventoryHost, options: OpenHostOptions = {}): Promise<OpenedHost> {
  const spec = toInventoryHost(target);
  const connection = createConnection(spec.connection);
  await connection.open();
  const host = new Host(spec.name, {
    vars: { ...spec.vars, inventory_hostname: spec.name },
    connection: connection,
    become: spec.become,
    run: {
      play: "script",
      checkMode: !!options.check,
      diffMode: !!options.diff,
      tags: [],
      skipTags: [],
      events: options.events ?? new RunEvents(),
      handlers: new Map(Object.entries(options.handlers ?? {})),
    },
  });
  return Object.assign(host, { close: () => connection.close() }) as OpenedHost;
}
