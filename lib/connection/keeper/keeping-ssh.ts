/**
 * An SSH connection that outlives the run when it may (OpenSSH's ControlPersist): a run first asks
 * the keeper (keeper.ts) for the host's kept connection and, when it has one alive, sends its
 * commands there — no handshake, no login, the shell session already started. Otherwise it connects
 * itself, and when it closes after leaving the host as it found it (CloseOptions.keep) it hands the
 * host to the keeper (hand-over.ts) for the next run.
 * A run that changed the host ends the keeper it used, so the next run logs in afresh and proves
 * that logging in still works (after sshd, users or keys changed).
 */
import type { Command } from "../../core/command.js";
import type { CloseOptions, Connection, ExecResult, SshSpec } from "../../core/connection.js";
import { BosunError } from "../../core/errors.js";
import { noteDirectLogin, takeEarlyHandshake } from "../early-handshake.js";
import { earlySocket } from "../early-socket.js";
import type { SshConnection } from "../ssh.js";
import { KeptConnection } from "./kept-connection.js";
import { persistSetting } from "./persist-setting.js";
import { handOver, type KeeperPlace } from "./hand-over.js";
import { keeperDir, keeperKey, keeperLog, keeperSocket, unsafeKeeperDir } from "./socket-path.js";
import { keeperEntry } from "./spawn-keeper.js";

/** How this run reached the host. */
export type Reach = "kept" | "direct";

/** See the module's comment. */
export class KeepingSshConnection implements Connection {
  readonly kind = "ssh" as const;
  #active: KeptConnection | SshConnection | undefined;
  #opening: Promise<void> | undefined;
  #place: KeeperPlace | undefined;
  #seconds = 0;
  /** Why connections to this host are not kept, when they are not (for -v). */
  notKept: string | undefined;
  /** Whether this run's login went on from a handshake the launcher started (early-handshake.ts). */
  handshakeAhead = false;

  constructor(readonly spec: SshSpec) {}

  get user(): string {
    return this.spec.user;
  }

  /** The keeper's key of the kept connection this run's commands go to, when they go to one. */
  get keptKey(): string | undefined {
    return this.#active instanceof KeptConnection ? keeperKey(this.spec) : undefined;
  }

  /** "kept" when this run uses a connection a keeper kept, "direct" when it connected itself; undefined before open. */
  get reach(): Reach | undefined {
    return this.#active instanceof KeptConnection ? "kept" : this.#active ? "direct" : undefined;
  }

  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    let from: string;
    try {
      ({ seconds: this.#seconds, from } = persistSetting(this.spec));
    } catch (e) {
      throw new BosunError((e as Error).message, { hint: "unset it, or give whole seconds such as 60 (0 turns keeping off)" });
    }
    const dir = keeperDir();
    const unsafe = this.#seconds === 0 ? undefined : keeperEntry() ? unsafeKeeperDir(dir) : "the keeper's program is not beside bosun's";
    if (this.#seconds > 0 && !unsafe) {
      this.#place = { socket: keeperSocket(dir), logFile: keeperLog(dir) };
      const address = `${this.spec.user}@${this.spec.host}:${this.spec.port}`;
      this.#active = await KeptConnection.attach(this.#place.socket, keeperKey(this.spec), { user: this.spec.user, address });
      if (this.#active) return;
    }
    this.notKept = this.#seconds === 0 ? `keeping is off (${from})` : unsafe;
    // Loaded here: a run on kept connections never needs ssh2 (about 30 ms of start-up). The launcher
    // may have started the handshake already (early-handshake.ts); else the TCP connection is made
    // while ssh2 loads (early-socket.ts).
    const early = (await takeEarlyHandshake(this.spec)) ?? earlySocket(this.spec);
    let SshConnection: typeof import("../ssh.js").SshConnection;
    try {
      ({ SshConnection } = await import("../ssh.js"));
    } catch (e) {
      early?.discard();
      throw e;
    }
    const direct = new SshConnection(this.spec, early);
    await direct.open();
    this.handshakeAhead = direct.handshakeAhead;
    noteDirectLogin(this.spec);
    this.#active = direct;
  }

  async exec(command: Command): Promise<ExecResult> {
    await this.open();
    return (this.#active as Connection).exec(command);
  }

  async close(options?: CloseOptions): Promise<void> {
    const active = this.#active;
    if (!active) return;
    this.#active = undefined;
    if (active instanceof KeptConnection) return active.close(options);
    const keep = !!options?.keep && this.#place !== undefined && !active.lost;
    await active.close();
    if (keep && this.#place)
      await handOver(this.#place, {
        key: keeperKey(this.spec),
        spec: this.spec,
        idleSeconds: Number.isFinite(this.#seconds) ? this.#seconds : null,
      });
  }
}
