/**
 * Secret values and their masking. Every value registered here is replaced by `***` in every
 * piece of output bosun produces (progress, errors, -v logs, diffs, JSON).
 */

const registered = new Set<string>();
let pattern: RegExp | undefined;

/** The text that replaces a secret value in output. */
export const MASK = "***";

/** A value that must never be printed or put in argv; it travels to remote programs on stdin. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    registerSecret(value);
  }
  /** The clear value, for stdin payloads only. */
  reveal(): string {
    return this.#value;
  }
  /** Secrets print as `***`. */
  toString(): string {
    return MASK;
  }
  /** Secrets serialise as `***`. */
  toJSON(): string {
    return MASK;
  }
  /** Node's inspect (console.log, util.format) prints `***`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return MASK;
  }
}

/** Mark a value as secret: it is masked in all output from now on. Returns a {@link Secret}. */
export function secret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}

/** The clear text of a string or a {@link Secret}. */
export function reveal(value: string | Secret): string {
  return value instanceof Secret ? value.reveal() : value;
}

/** Register a value for masking without wrapping it (e.g. inventory values read from the environment). */
export function registerSecret(value: string): void {
  // Masking one- or two-character strings would shred every line of output; such values are refused as secrets.
  if (value.length < 3 || registered.has(value)) return;
  registered.add(value);
  // Also mask the forms a value takes when it passes through JSON or a shell quote.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) registered.add(escaped);
  pattern = undefined;
}

/** Every registered secret value (for leak scanners in tests). */
export function registeredSecrets(): readonly string[] {
  return [...registered];
}

/** Replace every registered secret value in `text` by `***`. */
export function mask(text: string): string {
  if (registered.size === 0) return text;
  pattern ??= new RegExp(
    [...registered]
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("|"),
    "g",
  );
  return text.replace(pattern, MASK);
}

/** Deeply mask every string in a JSON-like value. */
export function maskDeep<T>(value: T): T {
  if (typeof value === "string") return mask(value) as T;
  if (value instanceof Secret) return MASK as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v);
    return out as T;
  }
  return value;
}
