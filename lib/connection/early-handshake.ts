/**
 * SSH handshakes a playbook's launcher starts before the playbook module loads (lib/cli/launch.ts),
 * to the hosts the same command logged in to last time. The TCP connection, the version exchange
 * and the key exchange then run while the controller loads the playbook and the inventory, instead
 * of after: across a WAN those are two or three round trips of every new login.
 *
 * A handshake sends nothing of the user's before the run takes it: it has no user name and no key
 * until the run gives them, so it waits at authentication. It checks the host key itself against
 * the known_hosts file and policy it was started with (the ones the run used last time), as the
 * run's own login would; under accept-new, where a first key is written to known_hosts, it leaves
 * the key to the run instead. The run takes a handshake only for a host it reaches directly at the
 * same address, port, known_hosts file and policy, with the same preferred host key algorithms, and
 * then authenticates with its own settings. A key the handshake refused ends it: the run connects
 * afresh and reports the refusal as always.
 * A handshake no run takes (another inventory, another --limit) is closed at the end of the run,
 * having exchanged keys and nothing more. A failed one is ignored: the run connects as usual and
 * reports what it finds.
 *
 * The launcher and the compiled playbook each have their own copy of this module, so the handshakes
 * sit in one process-wide registry (a global symbol) and are used through their methods only.
 */
import { Socket } from "node:net";
import type { Client } from "ssh2";
import type { HostKeyPolicy, SshSpec } from "../core/connection.js";
import { authAttempts, type Credentials } from "./auth-methods.js";
import type { HostKeyVerifier } from "./host-key.js";
import { identAhead, sendIdentOnConnect, ssh2Ident } from "./ident-ahead.js";
import { signPublicKeyAtOnce } from "./sign-at-once.js";

/** Where a handshake goes: what must be the same for a run to take it. */
export interface HandshakeTarget {
  readonly host: string;
  readonly port: number;
  readonly hostKeyPolicy: HostKeyPolicy;
  readonly knownHostsPath?: string;
}

/** How the run logs in on a handshake it takes: its user and credentials, and its own time limit. */
export interface LoginSettings extends Credentials {
  readonly username: string;
  /** The run's own limit for the login (bosun_connect_timeout). */
  readonly timeoutMs: number;
}

interface Taken {
  readonly verifier: HostKeyVerifier;
  readonly attempts: object[];
}

/** One handshake, waiting at the host key for a run to take it. */
export interface EarlyHandshake {
  /** The host key algorithms it offered (from known_hosts, as a run's own login offers them). */
  readonly preferredAlgorithms: readonly string[] | undefined;
  /** Whether it can still be taken (it has not failed or closed). */
  readonly alive: boolean;
  /** Check the host key with `verifier` and log in with `login`; resolves with the logged-in client. */
  take(verifier: HostKeyVerifier, login: LoginSettings): Promise<Client>;
  /** Close it, untaken. */
  discard(): void;
}

/**
 * A TCP connection to `target`, started before ssh2 loads (as early-socket.ts), that sends the
 * identification line as soon as it is up (ident-ahead.ts); it never keeps the process alive.
 */
export function handshakeSocket(target: HandshakeTarget, ident = ssh2Ident()): Socket {
  const socket = new Socket();
  socket.on("error", () => socket.destroy()); // a failed one is skipped: the run connects as usual
  sendIdentOnConnect(socket, ident);
  socket.connect({ host: target.host, port: target.port });
  socket.unref();
  return socket;
}

/** Start a handshake to `target` over `socket` with ssh2's Client, checking the host key with `verifier` (see above). */
export function startHandshake(
  ClientClass: typeof Client,
  target: HandshakeTarget,
  socket: Socket,
  verifier: HostKeyVerifier,
): EarlyHandshake {
  const { preferredAlgorithms } = verifier;
  const client = new ClientClass();
  let failed: Error | undefined;
  let taken: ((t: Taken) => void) | undefined;
  const whenTaken = new Promise<Taken>((resolve) => (taken = resolve));
  client.on("error", (e: Error) => (failed ??= e));
  client.on("close", () => (failed ??= new Error("connection closed before the run took it")));
  let attempt = 0;
  const ident = identAhead(socket, () => {
    failed ??= new Error("ssh2 did not start with the identification line sent ahead");
    client.end();
  });
  client.connect({
    sock: socket,
    host: target.host,
    port: target.port,
    ...ident,
    username: "", // required here by ssh2, unused: each authentication attempt names the run's user
    readyTimeout: 0, // the run's own limit applies once it takes the handshake
    keepaliveInterval: 15000,
    ...(preferredAlgorithms ? { algorithms: { serverHostKey: [...preferredAlgorithms] as never } } : {}),
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      if (target.hostKeyPolicy === "accept-new") void whenTaken.then((t) => t.verifier.verify(key, verify));
      else verifier.verify(key, verify);
    },
    authHandler: (_left: unknown, _partial: unknown, next: (attempt: object | false) => void) => {
      void whenTaken.then((t) => next(t.attempts[attempt++] ?? false));
    },
  } as never);
  signPublicKeyAtOnce(client);
  return {
    preferredAlgorithms,
    get alive() {
      return failed === undefined && taken !== undefined;
    },
    take(verifier, login) {
      if (failed) return Promise.reject(Object.assign(failed, { beforeLogin: true }));
      socket.ref();
      return new Promise<Client>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error("Timed out while waiting for handshake"));
          client.end();
        }, login.timeoutMs);
        const settle = (error?: Error) => {
          clearTimeout(timer);
          client.off("ready", onReady);
          client.off("error", onError);
          if (error) reject(error);
          else resolve(client);
        };
        const onReady = () => settle();
        // Before any authentication attempt went out, the run may as well log in afresh (ssh.ts does).
        const onError = (e: Error) => settle(attempt === 0 ? Object.assign(e, { beforeLogin: true }) : e);
        client.on("ready", onReady);
        client.on("error", onError);
        taken?.({ verifier, attempts: authAttempts(login.username, login) });
        taken = undefined;
      });
    },
    discard() {
      taken = undefined;
      client.end();
      socket.destroy();
    },
  };
}

/** The key a handshake is found by. */
export function handshakeKey(target: HandshakeTarget): string {
  return JSON.stringify([target.host, target.port, target.hostKeyPolicy, target.knownHostsPath ?? null]);
}

/** The target of a host reached directly; undefined through a jump host or a proxy command. */
export function handshakeTarget(spec: SshSpec): HandshakeTarget | undefined {
  if (spec.jump || spec.proxyCommand) return undefined;
  return {
    host: spec.host,
    port: spec.port,
    hostKeyPolicy: spec.hostKeyPolicy,
    ...(spec.knownHostsPath ? { knownHostsPath: spec.knownHostsPath } : {}),
  };
}

interface Registry {
  /** Resolves once the launcher's handshakes are started (ssh2 loaded). */
  starting: Promise<void>;
  readonly waiting: Map<string, EarlyHandshake>;
  /** Hosts this process logged in to directly, for the launcher's next start. */
  readonly loggedIn: Map<string, HandshakeTarget>;
}

const REGISTRY = Symbol.for("bosun.earlyHandshakes");

function registry(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry };
  global[REGISTRY] ??= { starting: Promise.resolve(), waiting: new Map(), loggedIn: new Map() };
  return global[REGISTRY];
}

/** Start handshakes to `targets` (the launcher); a run started meanwhile waits for them before it connects. */
export function startEarlyHandshakes(targets: readonly HandshakeTarget[]): Promise<void> {
  const r = registry();
  const sockets = targets.map((target) => handshakeSocket(target)); // TCP, and sshd's key exchange offer, while ssh2 loads
  r.starting = (async () => {
    const [{ default: ssh2 }, { hostKeyVerifier }] = await Promise.all([import("ssh2"), import("./host-key.js")]);
    for (const [i, target] of targets.entries()) {
      const socket = sockets[i] as Socket;
      if (socket.destroyed) continue;
      const verifier = await hostKeyVerifier({ ...target, policy: target.hostKeyPolicy });
      r.waiting.set(handshakeKey(target), startHandshake(ssh2.Client, target, socket, verifier));
    }
  })().catch(() => {
    for (const socket of sockets) socket.destroy(); // no handshake ahead: the run connects as usual
  });
  return r.starting;
}

/**
 * The handshake started for the host of `spec`, if any and still alive; it is the caller's from
 * here. Only the first connection to a target gets it.
 */
export async function takeEarlyHandshake(spec: SshSpec): Promise<EarlyHandshake | undefined> {
  const target = handshakeTarget(spec);
  const r = registry();
  if (!target || r.waiting.size === 0) {
    await r.starting;
    if (!target || r.waiting.size === 0) return undefined;
  }
  const key = handshakeKey(target);
  const found = r.waiting.get(key);
  r.waiting.delete(key);
  if (found && !found.alive) {
    found.discard();
    return undefined;
  }
  return found;
}

/** Record a direct login to `spec`'s host by this process. */
export function noteDirectLogin(spec: SshSpec): void {
  const target = handshakeTarget(spec);
  if (target) registry().loggedIn.set(handshakeKey(target), target);
}

/** The hosts this process logged in to directly, in the order of their first login. */
export function directLogins(): HandshakeTarget[] {
  return [...registry().loggedIn.values()];
}

/** Close every handshake no run took. */
export function discardEarlyHandshakes(): void {
  const r = registry();
  for (const handshake of r.waiting.values()) handshake.discard();
  r.waiting.clear();
}
