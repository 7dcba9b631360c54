/**
 * `!env NAME` whose variable is not set when the inventory loads. Loading does not fail: the value
 * becomes an {@link UnsetEnv} that fails wherever it is used (a task parameter, a template, a
 * connection setting, a string), naming the variable and where the inventory asks for it. So a
 * playbook that does not use a secret does not need it set: `deploy` runs without the TLS
 * playbook's `CLOUDFLARE_API_TOKEN`.
 */
import { BosunError } from "./errors.js";

/** The value of an `!env NAME` tag whose variable was not set. */
export class UnsetEnv {
  constructor(
    /** The environment variable. */
    readonly envName: string,
    /** Where the tag is, `inventory/cfa2.yml:33:28`. */
    readonly where: string,
  ) {}

  /** `environment variable "NAME" is not set (!env at file:line:col)`. */
  get problem(): string {
    return `environment variable "${this.envName}" is not set (!env at ${this.where})`;
  }

  /** The error for using this value as `what` (e.g. `parameter "password" of docker.login`). */
  error(what: string): BosunError {
    return new BosunError(`Cannot use ${what}: ${this.problem}`, { hint: exportHint(this.envName) });
  }

  /** Used as text (a template, a template literal, `String()`): fail clearly. */
  toString(): string {
    throw this.error("an inventory value");
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }
}

function exportHint(envName: string): string {
  return `export ${envName}=... before running the playbook (values from !env are masked in all output)`;
}

/** The hint for a message about an unset `!env` (from {@link UnsetEnv.problem}), else undefined. */
export function unsetEnvHint(message: string): string | undefined {
  const name = /environment variable "([^"]+)" is not set \(!env at /.exec(message)?.[1];
  return name === undefined ? undefined : exportHint(name);
}

/** The first unset `!env` inside a value (plain objects and arrays are searched), with its path. */
export function findUnsetEnv(value: unknown, path: readonly string[] = []): { path: string[]; unset: UnsetEnv } | undefined {
  if (value instanceof UnsetEnv) return { path: [...path], unset: value };
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnsetEnv(item, [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, item] of Object.entries(value)) {
      const found = findUnsetEnv(item, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Throw when `value` (the variable `name`) is or contains an unset `!env`. */
export function requireSet(value: unknown, name: string): void {
  const found = findUnsetEnv(value);
  if (found) throw found.unset.error(`variable "${[name, ...found.path].join(".")}"`);
}
