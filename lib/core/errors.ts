/**
 * Errors that say what could not be done, on which host, in which task, where in the playbook,
 * and what to do about it.
 */
import { mask } from "./secrets.js";

/** Where an error happened; every field is optional. */
export interface ErrorContext {
  /** Inventory name of the host. */
  readonly host?: string;
  /** Task id such as `files.ensureDir`. */
  readonly task?: string;
  /** Place in the playbook, `playbooks/bootstrap.ts:14`. */
  readonly location?: string;
  /** What the user can do about it. */
  readonly hint?: string;
}

/** The base of every error bosun raises on purpose; its message is already masked. */
export class BosunError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(mask(message), options);
    this.name = "BosunError";
    this.context = context;
  }
  /** `[host] task (location): message` plus the hint on its own line. */
  describe(): string {
    const { host, task, location, hint } = this.context;
    const head = [host ? `[${host}]` : "", task ?? "", location ? `(${location})` : ""].filter(Boolean).join(" ");
    const text = head ? `${head}: ${this.message}` : this.message;
    return mask(hint ? `${text}\n  hint: ${hint}` : text);
  }
}

/** A remote command exited non-zero. */
export class CommandError extends BosunError {
  constructor(
    message: string,
    readonly result: { readonly code: number | null; readonly stdout: string; readonly stderr: string },
    context: ErrorContext = {},
  ) {
    super(message, context);
    this.name = "CommandError";
  }
}

/** The host could not be reached or authenticated. */
export class UnreachableError extends BosunError {
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, context, options);
    this.name = "UnreachableError";
  }
}

/** Parameters or options given to a task are invalid; raised before anything runs. */
export class ParamsError extends BosunError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = "ParamsError";
  }
}

/** The inventory or extra vars are invalid; raised before anything runs. */
export class InventoryError extends BosunError {
  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.name = "InventoryError";
  }
}

/** The run was interrupted (SIGINT). */
export class InterruptedError extends BosunError {
  constructor() {
    super("interrupted");
    this.name = "InterruptedError";
  }
}

/** Describe any thrown value for a user, masked; stack traces only when asked. */
export function describeError(error: unknown, withStack = false): string {
  if (error instanceof BosunError) return withStack && error.stack ? `${error.describe()}\n${mask(error.stack)}` : error.describe();
  if (error instanceof Error) return mask(withStack && error.stack ? error.stack : error.message);
  return mask(String(error));
}
