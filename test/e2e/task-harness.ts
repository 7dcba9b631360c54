/**
 * Run bosun tasks against a lab host over real SSH, and verify the host with plain `ssh`
 * commands of our own (never with bosun's facts).
 */
import { spawnSync } from "node:child_process";
import { SshConnection } from "../../lib/connection/ssh.js";
import { Host, TaskFailedError } from "../../lib/run/host.js";
import { RunEvents } from "../../lib/core/events.js";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import type { Vars } from "../../lib/inventory/types.js";

/** The parts of a lab host a test needs. */
export interface LabTarget {
  /** Host name. */
  readonly name: string;
  /** SSH port on 127.0.0.1. */
  readonly sshPort: number;
  /** Lab private key. */
  readonly keyPath: string;
  /** Lab known_hosts. */
  readonly knownHostsPath: string;
}

/** Options for one task run. */
export interface RunTaskOptions {
  /** --check. */
  readonly check?: boolean;
  /** --diff (default true). */
  readonly diff?: boolean;
  /** Host vars. */
  readonly vars?: Vars;
  /** Most commands the apply may take in {@link expectConverges} (2). */
  readonly maxApplyCommands?: number;
}

/** A plain `ssh` result. */
export interface ShellResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The {@link LabTarget} of host `index` of a lab. */
export function labTarget(
  info: { hosts: readonly { name: string; sshPort: number }[]; keyPath: string; knownHostsPath: string },
  index = 0,
): LabTarget {
  const host = info.hosts[index];
  if (!host) throw new Error(`Cannot use lab host ${index}: the lab has ${info.hosts.length} host(s)`);
  return { name: host.name, sshPort: host.sshPort, keyPath: info.keyPath, knownHostsPath: info.knownHostsPath };
}

/** Runs tasks on one lab host over one SSH connection, as root or as another user. */
export class TaskRunner {
  readonly connection: SshConnection;
  readonly events = new RunEvents();
  /** Every command as logged (masked). */
  readonly commands: string[] = [];
  /** Every command text exactly as sent to the host, unmasked: for leak checks. */
  readonly rawCommands: string[] = [];

  constructor(
    readonly target: LabTarget,
    readonly user = "root",
    readonly become: { enabled: boolean; password?: string } = { enabled: false },
  ) {
    this.connection = new SshConnection({
      kind: "ssh",
      host: "127.0.0.1",
      port: target.sshPort,
      user,
      privateKeyPath: target.keyPath,
      knownHostsPath: target.knownHostsPath,
      hostKeyPolicy: "strict",
      connectTimeoutMs: 10000,
      connectRetries: 3,
    });
    this.events.on("command", (c) => this.commands.push(c.text));
    const exec = this.connection.exec.bind(this.connection);
    this.connection.exec = (c) => {
      this.rawCommands.push(c.text);
      return exec(c);
    };
  }

  /** Run a task; a failure is returned as a failed result rather than thrown. */
  async run<P, O>(call: TaskCall<P, O>, options: RunTaskOptions = {}): Promise<TaskResult<O>> {
    const host = new Host(this.target.name, {
      vars: options.vars ?? {},
      connection: this.connection,
      become: this.become,
      run: {
        play: "test",
        checkMode: !!options.check,
        diffMode: options.diff ?? true,
        tags: [],
        skipTags: [],
        events: this.events,
        handlers: new Map(),
      },
    });
    try {
      return await host.run(call);
    } catch (error) {
      if (error instanceof TaskFailedError) return error.result as TaskResult<O>;
      throw error;
    }
  }

  /** Run a shell command on the host with the system ssh client, as root. */
  sh(command: string, input?: string): ShellResult {
    return sshRun(this.target, command, input);
  }

  /** Close the connection. */
  async close(): Promise<void> {
    await this.connection.close();
  }
}

/**
 * Options for the system `ssh` client to a lab host: the lab key, strict checking against the lab's
 * known_hosts, and one multiplexed connection per host, so a verification command costs a channel,
 * not a handshake.
 */
export function systemSshArgs(target: LabTarget): string[] {
  return [
    "-i",
    target.keyPath,
    "-p",
    String(target.sshPort),
    "-o",
    `UserKnownHostsFile=${target.knownHostsPath}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-o",
    "LogLevel=ERROR",
    "-o",
    "ControlMaster=auto",
    "-o",
    "ControlPersist=60",
    "-o",
    "ControlPath=/tmp/bosun-e2e-%C",
  ];
}

/** Run a command on a lab host with the system ssh client (independent of bosun). */
export function sshRun(target: LabTarget, command: string, input?: string, user = "root"): ShellResult {
  const r = spawnSync("ssh", [...systemSshArgs(target), `${user}@127.0.0.1`, command], { input: input ?? "", encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Expectations every task must meet: check mode changes nothing, apply converges, a re-run is a no-op in one command. */
export async function expectConverges<P, O>(
  runner: TaskRunner,
  call: TaskCall<P, O>,
  state: () => string,
  options: RunTaskOptions = {},
): Promise<{ checked: TaskResult<O>; applied: TaskResult<O>; again: TaskResult<O> }> {
  const before = state();
  const checked = await runner.run(call, { ...options, check: true });
  expect(checked.failed ? checked.message : checked.status).toBe("changed");
  expect(state()).toBe(before);
  const applied = await runner.run(call, options);
  expect(applied.failed ? applied.message : applied.status).toBe("changed");
  expect(applied.commands).toBeLessThanOrEqual(options.maxApplyCommands ?? 2);
  const after = state();
  expect(after).not.toBe(before);
  const again = await runner.run(call, options);
  expect(again.failed ? again.message : again.status).toBe("ok");
  expect(again.commands).toBe(1);
  expect(state()).toBe(after);
  return { checked, applied, again };
}
