/**
 * The ssh connection on node-ssh/ssh2: one connection per host for the whole run, commands
 * judged by exit status, output never trimmed, stdin streamed for secrets and file content.
 */
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Duplex } from "node:stream";
import { NodeSSH, type Config } from "node-ssh";
import type { Client, ClientChannel } from "ssh2";
import { quote, stdinBytes, type Command } from "../core/command.js";
import { UnreachableError } from "../core/errors.js";
import type { Connection, ExecResult, SshSpec } from "./types.js";
import { hostKeyVerifier, type HostKeyVerifier } from "./host-key.js";

/** Errors worth another connection attempt (the host may still be booting). */
function isTransient(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  const text = String((error as Error).message ?? error);
  return (
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(code) ||
    /Timed out|ECONNRESET|handshake/i.test(text)
  );
}

/** An SSH connection to one host. */
export class SshConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly #ssh = new NodeSSH();
  #jump: SshConnection | undefined;
  #opening: Promise<void> | undefined;
  #dead: Error | undefined;

  constructor(readonly spec: SshSpec) {}

  get user(): string {
    return this.spec.user;
  }

  /** `user@host:port`, for messages. */
  get address(): string {
    return `${this.spec.user}@${this.spec.host}:${this.spec.port}`;
  }

  open(): Promise<void> {
    this.#opening ??= this.#connectWithRetries();
    return this.#opening;
  }

  async #connectWithRetries(): Promise<void> {
    let delay = 500;
    for (let attempt = 0; ; attempt++) {
      const verifier = await hostKeyVerifier(this.spec.host, this.spec.port, this.spec.hostKeyPolicy, this.spec.knownHostsPath);
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
    const config: Config = {
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: s.connectTimeoutMs,
      keepaliveInterval: 15000,
      hostVerifier: (key: Buffer, done: (ok: boolean) => void) => verifier.verify(key, done),
    };
    if (verifier.preferredAlgorithms) config.algorithms = { serverHostKey: verifier.preferredAlgorithms as never };
    if (s.privateKeyPath)
      config.privateKey = await readFile(s.privateKeyPath, "utf8").catch((e: Error) => {
        throw new UnreachableError(`Cannot connect to ${this.address}: cannot read private key ${s.privateKeyPath}: ${e.message}`);
      });
    if (s.passphrase) config.passphrase = s.passphrase;
    if (s.password) config.password = s.password;
    const agent = s.agent ?? process.env.SSH_AUTH_SOCK;
    if (agent) config.agent = agent;
    if (s.jump) config.sock = await this.#tunnel(s.jump);
    await this.#ssh.connect(config);
    const client = this.#ssh.connection as Client;
    client.on("error", (e: Error) => (this.#dead = e));
    client.on("close", () => (this.#dead ??= new Error("connection closed")));
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

  async exec(command: Command): Promise<ExecResult> {
    await this.open();
    const client = this.#ssh.connection as Client;
    if (this.#dead) throw new UnreachableError(`Cannot run a command on ${this.address}: the connection was lost (${this.#dead.message})`);
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
            reject(new UnreachableError(`Cannot finish a command on ${this.address}: the connection was lost (${this.#dead.message})`));
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
    this.#ssh.dispose();
    await this.#jump?.close();
  }
}
