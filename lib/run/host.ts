/**
 * A host during a run: it runs tasks (check, then apply unless --check), counts remote
 * commands, and collects notified handlers. Playbooks receive one per host.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Connection, ExecResult, BecomeSpec } from "../core/connection.js";
import type { Vars } from "../core/vars.js";
import { describeCommand, type Command } from "../core/command.js";
import { wrapWithSudo, sudoProblem, type SudoMode } from "../core/become.js";
import { BosunError, InterruptedError } from "../core/errors.js";
import type { Fact } from "../core/fact.js";
import { mask } from "../core/secrets.js";
import type { TaskCall, TaskHost, TaskResult } from "../core/task.js";
import { callerLocation } from "../core/callsite.js";
import { safeTitle } from "../core/steps.js";

export { mergeCommandSteps } from "../core/steps.js";
import type { RunEvents } from "../core/events.js";
import { TaskFailedError } from "./task-failed.js";
import type { TaskGate } from "./task-gate.js";
import type { HostPrefetch } from "./prefetch.js";
import { attemptTask, isSecretCall, type AttemptBase, type AttemptHost } from "./task-attempt.js";

export { TaskFailedError } from "./task-failed.js";

/** A handler: what runs once at the end of the play when notified. */
export type Handler = (host: Host) => Promise<unknown>;

/** What a host needs from the run it belongs to. */
export interface HostRunContext {
  /** Play name (for events). */
  readonly play: string;
  /** --check. */
  readonly checkMode: boolean;
  /** --diff. */
  readonly diffMode: boolean;
  /** --tags (empty: all). */
  readonly tags: readonly string[];
  /** --skip-tags. */
  readonly skipTags: readonly string[];
  /** The event bus. */
  readonly events: RunEvents;
  /** Handlers of the play, in definition order. */
  readonly handlers: ReadonlyMap<string, Handler>;
  /** Set when the run is interrupted: no new task starts. */
  readonly signal?: AbortSignal;
  /** Asked before each task that tags let through: a reason to skip it (`--start-at-task`, `--step`). */
  readonly gate?: TaskGate;
}

/** The message of a task that `--tags`/`--skip-tags` left out (reports may omit such tasks, as Ansible does). */
export const SKIPPED_BY_TAGS = "skipped by tags";

/** How a {@link Host} reaches its machine and which run it belongs to. */
export interface HostOptions {
  /** Merged variables. */
  readonly vars: Vars;
  /** The open (or openable) connection. */
  readonly connection: Connection;
  /** How to become root. */
  readonly become: BecomeSpec;
  /** The run it belongs to. */
  readonly run: HostRunContext;
  /** Check answers sent ahead for this host (see prefetch.ts); none when omitted. */
  readonly prefetch?: HostPrefetch;
}

/** One host in a run. */
export class Host {
  /** Remote commands run on this host so far. */
  commandCount = 0;
  readonly #notified = new Set<string>();
  readonly #results: TaskResult[] = [];
  #sudoMode: SudoMode | undefined;
  #applying = false;
  #checking = false;
  readonly #prefetch: HostPrefetch | undefined;
  #shielded = 0;

  /** Merged variables. */
  readonly vars: Vars;
  /** The connection commands run over. */
  readonly connection: Connection;
  /** How to become root. */
  readonly become: BecomeSpec;
  private readonly ctx: HostRunContext;

  constructor(
    /** Inventory name. */
    readonly name: string,
    options: HostOptions,
  ) {
    this.vars = options.vars;
    this.connection = options.connection;
    this.become = options.become;
    this.ctx = options.run;
    this.#prefetch = options.prefetch;
  }

  /** True in --check runs. */
  get checkMode(): boolean {
    return this.ctx.checkMode;
  }

  /** Every task result of this host so far. */
  get results(): readonly TaskResult[] {
    return this.#results;
  }

  /** The run's interrupt signal (first Ctrl-C or SIGTERM): a playbook ends its own waits with it. */
  get signal(): AbortSignal | undefined {
    return this.ctx.signal;
  }

  /** True when an interrupt stops new tasks now (the run was interrupted, outside {@link shielded}). */
  get #interrupted(): boolean {
    return !!this.ctx.signal?.aborted && this.#shielded === 0;
  }

  /**
   * Run `fn` with tasks allowed to start after an interrupt: the clean-up a playbook owes the host
   * (a rollback, releasing a lock). A second Ctrl-C still stops the process at once.
   * @example await host.shielded(() => rollBack(host))
   */
  async shielded<T>(fn: () => Promise<T>): Promise<T> {
    this.#shielded++;
    try {
      return await fn();
    } finally {
      this.#shielded--;
    }
  }

  /** Run a command on the host as the login user or with sudo; counted and logged (masked). */
  async exec(command: Command, options: { sudo?: boolean; quiet?: boolean } = {}): Promise<ExecResult> {
    // Once a plan is being applied it runs to the end, so an interrupt never leaves a task half-done.
    if (this.#interrupted && !this.#applying) throw new InterruptedError();
    const useSudo = command.sudo ?? options.sudo ?? this.become.enabled;
    const mode = useSudo ? await this.#sudo() : { kind: "none" as const };
    const wrapped = wrapWithSudo(command, mode);
    this.commandCount++;
    // A task's check may take its answer from the batch sent ahead; anything else may change the host.
    if (!this.#checking) this.#prefetch?.hostChanged();
    const ahead = this.#checking && !options.quiet ? await this.#prefetch?.answer(wrapped, this.connection) : undefined;
    const result = ahead ?? (await this.connection.exec(wrapped));
    this.ctx.events.emit("command", {
      host: this.name,
      text:
        (ahead ? (this.#prefetch?.sentAtStart ? "(prefetched at start) " : "(prefetched) ") : "") +
        (options.quiet ? "(secret)" : mask(describeCommand(command))),
      code: result.code,
      durationMs: result.durationMs,
    });
    if (mode.kind !== "none" && result.code !== 0) {
      const problem = sudoProblem(result.stderr, this.connection.user);
      if (problem) throw problem;
    }
    return result;
  }

  async #sudo(): Promise<SudoMode> {
    if (this.#sudoMode) return this.#sudoMode;
    if (this.connection.user === "root") this.#sudoMode = { kind: "none" };
    else if (this.become.password === undefined) this.#sudoMode = { kind: "nopasswd" };
    else {
      // One probe per connection: NOPASSWD users must not receive the password on their command's stdin.
      this.commandCount++;
      const probe = await this.connection.exec({ text: "sudo -n true 2>/dev/null" });
      this.#sudoMode = probe.code === 0 ? { kind: "nopasswd" } : { kind: "password", password: this.become.password };
    }
    return this.#sudoMode;
  }

  /** Run a fact probe (one command) and parse it. */
  async fact<A, T>(probe: Fact<A, T>, arg: A, options: { sudo?: boolean } = {}): Promise<T> {
    const result = await this.exec(probe.command(arg), options);
    return probe.parse(result, arg);
  }

  /** Run a task: check, then apply the plan unless --check. Throws {@link TaskFailedError} on failure. */
  async run<P, O>(call: TaskCall<P, O>): Promise<TaskResult<O>> {
    if (this.#interrupted) throw new InterruptedError();
    const def = call.definition;
    const title = mask(call.options.title ?? safeTitle(() => def.title(call.params), def.id));
    const base = { host: this.name, task: def.id, title, location: call.location };
    this.ctx.events.emit("taskStart", { play: this.ctx.play, host: this.name, task: def.id, title, location: call.location });
    let result: TaskResult<O>;
    const tags = call.options.tags ?? [];
    const skip = this.#filteredByTags(tags) ? SKIPPED_BY_TAGS : await this.ctx.gate?.({ ...base, tags, play: this.ctx.play });
    if (skip !== undefined) {
      result = {
        ...base,
        status: "skipped",
        changed: false,
        failed: false,
        skipped: true,
        message: skip,
        durationMs: 0,
        commands: 0,
        attempts: 0,
      };
    } else {
      result = await this.#runWithRetries(call, base);
    }
    if (result.failed && call.options.ignoreErrors) result = { ...result, ignored: true };
    this.#results.push(result);
    this.ctx.events.emit("taskEnd", { play: this.ctx.play, host: this.name, result });
    if (result.changed) this.notify(call.options.notify ?? []);
    if (result.failed && !call.options.ignoreErrors) {
      throw new TaskFailedError(result, { host: this.name, task: def.id, location: call.location });
    }
    return result;
  }

  #filteredByTags(tags: readonly string[]): boolean {
    const { tags: only, skipTags } = this.ctx;
    if (tags.includes("always")) return skipTags.includes("always");
    if (tags.some((t) => skipTags.includes(t))) return true;
    if (only.length === 0 || only.includes("all")) return false;
    return !tags.some((t) => only.includes(t));
  }

  async #runWithRetries<P, O>(call: TaskCall<P, O>, base: AttemptBase): Promise<TaskResult<O>> {
    const retries = call.options.retries ?? 0;
    const delayMs = (call.options.delay ?? 5) * 1000;
    const until = call.options.until;
    let attempt = 0;
    for (;;) {
      attempt++;
      let result = await this.#attempt(call, base, attempt);
      const done = until ? !result.failed && until(result) : !result.failed;
      if (done) return result;
      if (attempt > retries) {
        if (until && !result.failed) {
          result = { ...result, status: "failed", failed: true, message: `condition not met after ${attempt} attempt(s)` };
        }
        return result;
      }
      if (this.ctx.checkMode && !result.failed) return result;
      this.log(
        `${base.task}: attempt ${attempt} of ${retries + 1} ${result.failed ? "failed" : "did not meet the condition"}; retrying in ${delayMs / 1000}s`,
      );
      await sleep(delayMs);
    }
  }

  /** One attempt of a task (see task-attempt.ts), with this host's command counting, prefetch and interrupt rules. */
  #attempt<P, O>(call: TaskCall<P, O>, base: AttemptBase, attempts: number): Promise<TaskResult<O>> {
    const quiet = isSecretCall(call as TaskCall<unknown, unknown>);
    const host: AttemptHost = {
      checkMode: this.ctx.checkMode,
      diffMode: this.ctx.diffMode,
      commands: () => this.commandCount,
      taskHost: this.#taskHost(call),
      checking: async (fn) => {
        this.#checking = true;
        try {
          return await fn();
        } finally {
          this.#checking = false;
        }
      },
      applying: async (fn) => {
        // Once a plan is being applied it runs to the end; what was sent ahead may no longer be true.
        this.#applying = true;
        this.#prefetch?.hostChanged();
        try {
          return await fn();
        } finally {
          this.#applying = false;
        }
      },
      exec: (step) => this.exec(step, { sudo: call.options.sudo, quiet }),
    };
    return attemptTask(host, { call, base, attempts });
  }

  #taskHost<P, O>(call: TaskCall<P, O>): TaskHost {
    const host = this;
    const sudo = call.options.sudo;
    return {
      name: this.name,
      vars: this.vars,
      checkMode: this.ctx.checkMode,
      diffMode: this.ctx.diffMode,
      exec: (command) => host.exec(command, { sudo, quiet: call.options.secret }),
      fact: (probe, arg) => host.fact(probe, arg, { sudo }),
      fail: (message, hint) => new BosunError(message, { host: host.name, task: call.definition.id, location: call.location, hint }),
      log: (message) => host.log(message),
      ...(this.ctx.signal ? { signal: this.ctx.signal } : {}),
    };
  }

  /** Log a line for `-v` (masked). */
  log(message: string): void {
    this.ctx.events.emit("log", { host: this.name, message: mask(message) });
  }

  /** Mark handlers to run at the end of the play. */
  notify(names: string | readonly string[]): void {
    for (const name of typeof names === "string" ? [names] : names) {
      if (!this.ctx.handlers.has(name)) {
        const known = [...this.ctx.handlers.keys()].map((k) => `"${k}"`).join(", ") || "none";
        throw new BosunError(`Cannot notify handler "${name}": the play defines ${known}`, { host: this.name, location: callerLocation() });
      }
      this.#notified.add(name);
    }
  }

  /** Run the notified handlers now, once each, in the order the play defines them. */
  async flushHandlers(): Promise<void> {
    for (const [name, handler] of this.ctx.handlers) {
      if (!this.#notified.has(name)) continue;
      this.#notified.delete(name);
      await handler(this);
    }
  }
}
