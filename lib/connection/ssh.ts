/**
 * The ssh connection on node-ssh/ssh2: one connection per host for the whole run, commands
 * judged by exit status, output never trimmed, stdin streamed for secrets and file content.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Duplex } from "node:stream";
import { NodeSSH, type Config } from "node-ssh";
import type { Client, ClientChannel } from "ssh2";
import { quote, stdinBytes, type Command } from "../core/command.js";
import { UnreachableError } from "../core/errors.js";
import type { Connection, ExecResult, SshSpec } from "../core/connection.js";
import type { EarlyHandshake } from "./early-handshake.js";
import type { EarlySocket } from "./early-socket.js";
import { hostKeyVerifier, type HostKeyVerifier } from "./host-key.js";
import { identAhead } from "./ident-ahead.js";
import { proxyCommandStream } from "./proxy-command.js";
import { loginConfig, loginSettings } from "./ssh-login.js";
import { signPublicKeyAtOnce } from "./sign-at-once.js";
import { SESSION_STDIN_LIMIT, ShellSession, neverRan, sessionProgram, type ShellPipes } from "./shell-session.js";

/** Errors worth another connection attempt (the host may still be booting). */
function isTransient(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const text = String((error as Error).message ?? error);
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(code) ||
    /Timed out|ECONNRESET|handshake/i.test(text)
  );
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** An SSH connection to one host. */
export class SshConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly #ssh = new NodeSSH();
  #jump: SshConnection | undefined;
  #opening: Promise<void> | undefined;
  #dead: Error | undefined;
  #session: ShellSession | undefined;
  #early: EarlySocket | EarlyHandshake | undefined;
  /** Whether the login went on from a handshake started ahead (early-handshake.ts), not a fresh one. */
  handshakeAhead = false;

  /** `early`: the TCP connection (early-socket.ts) or the handshake (early-handshake.ts) already started for the first attempt. */
  constructor(
    readonly spec: SshSpec,
    early?: EarlySocket | EarlyHandshake,
  ) {
    this.#early = early;
  }

  get user(): string {
    return this.spec.user;
  }

  /** The connection was lost (the host went away, the link broke): no command can run on it any more. */
  get lost(): boolean {
    return this.#dead !== undefined;
  }

  /** `user@host:port`, for messages. */
  get address(): string {
    return `${this.spec.user}@${this.spec.host}:${this.spec.port}`;
  }

  open(): Promise<void> {
    // An early socket the first attempt did not take (it failed before) must not keep the process alive.
    this.#opening ??= this.#connectWithRetries().finally(() => {
      this.#early?.discard();
      this.#early = undefined;
    });
    return this.#opening;
  }

  async #connectWithRetries(): Promise<void> {
    let delay = 500;
    for (let attempt = 0; ; attempt++) {
      const verifier = await hostKeyVerifier({
        host: this.spec.host,
        port: this.spec.port,
        policy: this.spec.hostKeyPolicy,
        knownHostsPath: this.spec.knownHostsPath,
      });
      try {
        await this.#connectOnce(verifier);
        return;
      } catch (error) {
        if (verifier.refusal) {
          throw new UnreachableError(`Cannot connect to ${this.address}: ${verifier.refusal.reason}`, { hint: verifier.refusal.hint });
        }
        if (attempt < this.spec.connectRetries && isTransient(error)) {
          await sleep(delay);
          delay *= 2;
          continue;
        }
        throw this.#explain(error);
      }
    }
  }

  #explain(error: unknown): UnreachableError {
    const text = (error as Error).message ?? String(error);
    if (/authentication methods failed/i.test(text)) {
      const how = this.spec.privateKeyPath ? `key ${this.spec.privateKeyPath}` : this.spec.password ? "password" : "ssh-agent";
      return new UnreachableError(`Cannot connect to ${this.address}: authentication failed (${how})`, {
        hint: "check ansible_user and ansible_ssh_private_key_file (or the password) for this host",
      });
    }
    if (/ECONNREFUSED/.test(text)) {
      return new UnreachableError(`Cannot connect to ${this.address}: connection refused`, {
        hint: "is sshd running and is the port right (ansible_port)?",
      });
    }
    if (/Timed out|ETIMEDOUT/i.test(text)) {
      return new UnreachableError(`Cannot connect to ${this.address}: timed out after ${this.spec.connectTimeoutMs} ms`, {
        hint: "check the address, a firewall, or raise bosun_connect_timeout",
      });
    }
    return new UnreachableError(`Cannot connect to ${this.address}: ${text}`, {}, { cause: error });
  }

  async #connectOnce(verifier: HostKeyVerifier): Promise<void> {
    const s = this.spec;
    const config = await loginConfig(s, verifier, this.address);
    const early = this.#early;
    this.#early = undefined; // the first attempt only: a retry connects afresh
    let client: Client;
    if (early && "alive" in early && sameList(early.preferredAlgorithms, verifier.preferredAlgorithms)) {
      client = await this.#goOn(early, verifier, config);
    } else {
      if (early && "alive" in early) early.discard(); // it offered other host key algorithms than known_hosts now asks for
      if (s.jump) config.sock = await this.#tunnel(s.jump);
      else if (s.proxyCommand) config.sock = proxyCommandStream(s);
      else if (early && !("alive" in early)) {
        const sock = early.take();
        config.sock = sock;
        Object.assign(
          config,
          identAhead(sock, () => sock.destroy(new Error("ssh2 did not start with the identification line sent ahead"))),
        );
      }
      client = await this.#login(config);
    }
    client.on("error", (e: Error) => (this.#dead = e));
    client.on("close", () => (this.#dead ??= new Error("connection closed")));
  }

  /** Log in on the handshake the launcher started (early-handshake.ts): the host key is checked as for any login. */
  async #goOn(handshake: EarlyHandshake, verifier: HostKeyVerifier, config: Config): Promise<Client> {
    let client: Client;
    try {
      client = await handshake.take(verifier, loginSettings(this.spec, config));
    } catch (error) {
      // It failed before the run's authentication went out (its own check refused the key because
      // known_hosts changed since it started, the host closed it): a login of the run's own tries
      // again and explains a failure as for any login.
      if (!(error as { beforeLogin?: boolean }).beforeLogin) throw error;
      return this.#login(config);
    }
    this.#ssh.connection = client;
    this.handshakeAhead = true;
    return client;
  }

  /** Connect and log in with `config` through node-ssh, the public key signed at once (sign-at-once.ts). */
  async #login(config: Config): Promise<Client> {
    const connecting = this.#ssh.connect(config); // node-ssh makes the client and calls its connect() at once
    if (this.#ssh.connection) signPublicKeyAtOnce(this.#ssh.connection);
    await connecting;
    return this.#ssh.connection as Client;
  }

  async #tunnel(jump: SshSpec): Promise<Duplex> {
    this.#jump = new SshConnection(jump);
    await this.#jump.open();
    const client = this.#jump.#ssh.connection as Client;
    return new Promise((resolve, reject) => {
      client.forwardOut("127.0.0.1", 0, this.spec.host, this.spec.port, (err, stream) => {
        if (err) reject(new UnreachableError(`Cannot reach ${this.address} through jump host ${this.#jump?.address}: ${err.message}`));
        else resolve(stream);
      });
    });
  }

  /**
   * Run a command: on the connection's shell session when it is free (see shell-session.ts), else
   * on a channel of its own (the session is off, busy, unavailable on this host, or stdin is large).
   */
  async exec(command: Command): Promise<ExecResult> {
    await this.open();
    if (this.#dead) throw this.#lost("run");
    const session = this.#sessionFor(command);
    // Input travels as base64: only once the session's probe found base64. Other commands follow the probe at once.
    if (session && stdinBytes(command) !== undefined) await session.ready;
    // Checked and claimed in one step: another exec may have taken the session during the await.
    if (!session?.usable || session.busy) return this.#execOnChannel(command);
    const result = await session.run(command);
    if (result.code === null && this.#dead) throw this.#lost("finish");
    if (neverRan(result)) return this.#execOnChannel(command);
    return result;
  }

  #lost(what: "run" | "finish"): UnreachableError {
    return new UnreachableError(`Cannot ${what} a command on ${this.address}: the connection was lost (${this.#dead?.message})`);
  }

  /** The connection's shell session (started on first use), or undefined where a channel must be used. */
  #sessionFor(command: Command): ShellSession | undefined {
    if (this.spec.shellSession === false) return undefined;
    const input = stdinBytes(command);
    if (input !== undefined && Buffer.byteLength(input) > SESSION_STDIN_LIMIT) return undefined;
    // A shell that failed its probe stays refused: this host keeps a channel per command.
    if (this.#session?.refused) return undefined;
    if (this.#session && !this.#session.usable) this.#session = undefined;
    this.#session ??= ShellSession.start((initial) => this.#shellPipes(initial), this.spec.connectTimeoutMs);
    return this.#session;
  }

  /** A channel running the session's `/bin/sh` (running `initial` first), or undefined when the server refuses one. */
  #shellPipes(initial: string): Promise<ShellPipes | undefined> {
    return new Promise((resolve) => {
      try {
        (this.#ssh.connection as Client).exec(sessionProgram(initial), (err, channel) =>
          resolve(
            err
              ? undefined
              : {
                  stdout: channel,
                  stderr: channel.stderr,
                  write: (text) => channel.write(text),
                  end: () => channel.end(),
                  onClose: (listener) => channel.on("close", listener),
                },
          ),
        );
      } catch {
        resolve(undefined);
      }
    });
  }

  #execOnChannel(command: Command): Promise<ExecResult> {
    const client = this.#ssh.connection as Client;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      client.exec(`/bin/sh -c ${quote(command.text)}`, (err: Error | undefined, channel: ClientChannel) => {
        if (err) {
          reject(new UnreachableError(`Cannot run a command on ${this.address}: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code: number | null = null;
        channel.on("data", (d: Buffer) => out.push(d));
        channel.stderr.on("data", (d: Buffer) => errOut.push(d));
        channel.on("exit", (c: number | null) => (code = typeof c === "number" ? c : null));
        channel.on("close", () => {
          if (code === null && this.#dead) {
            reject(this.#lost("finish"));
            return;
          }
          resolve({
            code,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(errOut).toString("utf8"),
            durationMs: Date.now() - started,
          });
        });
        const input = stdinBytes(command);
        if (input !== undefined) channel.end(input);
        else channel.end();
      });
    });
  }

  async close(): Promise<void> {
    this.#session?.close();
    this.#ssh.dispose();
    await this.#jump?.close();
  }
}
