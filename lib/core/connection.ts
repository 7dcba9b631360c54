/** The one interface every connection (ssh, local) implements. */
import type { Command } from "./command.js";

/** What a remote command did. Output is never trimmed. */
export interface ExecResult {
  /** Exit status; null when the command died from a signal or the channel closed without one. */
  readonly code: number | null;
  /** Standard output as UTF-8 text, untrimmed. */
  readonly stdout: string;
  /** Standard error as UTF-8 text, untrimmed. */
  readonly stderr: string;
  /** Wall time of the command in milliseconds. */
  readonly durationMs: number;
}

/** A channel to one host that runs shell commands. */
export interface Connection {
  /** Which kind of connection this is. */
  readonly kind: "ssh" | "local";
  /** The login user on the target (commands run as this user unless wrapped with sudo). */
  readonly user: string;
  /** Open the connection (idempotent). Throws UnreachableError on failure. */
  open(): Promise<void>;
  /** Run `command.text` with `/bin/sh -c`, stdin from `command.stdin`. Never rejects for a non-zero exit. */
  exec(command: Command): Promise<ExecResult>;
  /** Close the connection (idempotent). */
  close(options?: CloseOptions): Promise<void>;
  /** The keeper's key of the kept connection the commands go to, when they go to one (lib/connection/keeper/). */
  readonly keptKey?: string | undefined;
}

/** How a run ends its use of a connection. */
export interface CloseOptions {
  /**
   * The run left this host as it found it (no change, no failure): a connection that keeps itself
   * for the next run (`SshSpec.persistSeconds`) may be kept. Without it, nothing is kept.
   */
  readonly keep?: boolean;
}

/** How to reach a host, derived from inventory variables. */
export type ConnectionSpec = SshSpec | LocalSpec;

/** Run commands on this machine (`ansible_connection: local`). */
export interface LocalSpec {
  readonly kind: "local";
}

/** How strictly to check host keys: refuse unknown keys, learn unknown keys, or skip (tests only). */
export type HostKeyPolicy = "strict" | "accept-new" | "off";

/** Reach a host over SSH. */
export interface SshSpec {
  readonly kind: "ssh";
  /** Address or name to connect to. */
  readonly host: string;
  /** TCP port (22). */
  readonly port: number;
  /** Login user. */
  readonly user: string;
  /** Private key file. */
  readonly privateKeyPath?: string;
  /** Passphrase of the private key. */
  readonly passphrase?: string;
  /** Login password. */
  readonly password?: string;
  /** ssh-agent socket (defaults to SSH_AUTH_SOCK when set). */
  readonly agent?: string;
  /** known_hosts file (defaults to ~/.ssh/known_hosts). */
  readonly knownHostsPath?: string;
  /** Host key checking policy ("strict"). */
  readonly hostKeyPolicy: HostKeyPolicy;
  /** Time to wait for the TCP connection and handshake, in ms (10000). */
  readonly connectTimeoutMs: number;
  /** Connection attempts after the first one, with exponential backoff (2). */
  readonly connectRetries: number;
  /**
   * Keep the connection this many seconds after a run that changed nothing, for the next run
   * (OpenSSH's ControlPersist; 0: never). Unset: BOSUN_SSH_PERSIST, else 60 (0 when CI is set).
   */
  readonly persistSeconds?: number;
  /** Run commands on one long-lived remote shell instead of a channel each (true). */
  readonly shellSession?: boolean;
  /** A bastion to hop through (ProxyJump). */
  readonly jump?: SshSpec;
  /** A command whose stdin/stdout carry the connection (OpenSSH's ProxyCommand; %h, %p, %r expanded). */
  readonly proxyCommand?: string;
}

/** Become (sudo) settings for a host. */
export interface BecomeSpec {
  /** Run every task with sudo unless the task says otherwise. */
  readonly enabled: boolean;
  /** The sudo password, sent on stdin; absent means `sudo -n`. */
  readonly password?: string;
}
