/**
 * Waiting the deploy can stop at once: an interrupt (the run's abort signal) ends a sleep in the
 * middle, and retries back off exponentially with jitter between attempts.
 */
import { InterruptedError } from "../../lib/core/errors.js";

/** The run's interrupt signal as a host exposes it (undefined outside a CLI run). */
export function interruptSignal(host: object): AbortSignal | undefined {
  return (host as { signal?: AbortSignal }).signal;
}

/** Throw {@link InterruptedError} when the signal has fired. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}

/** Sleep `ms`, or less: an interrupt ends it at once with {@link InterruptedError}. */
export function sleepUnlessInterrupted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new InterruptedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** How a network operation is retried (`registry_retries`). */
export interface RetryPolicy {
  /** Attempts in all, the first included (4). */
  readonly attempts: number;
  /** Delay before the second attempt, in seconds; it doubles each time (1). */
  readonly baseSeconds: number;
  /** Ceiling of one delay, in seconds (30). */
  readonly maxSeconds: number;
}

/** The default {@link RetryPolicy}. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseSeconds: 1, maxSeconds: 30 };

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): exponential up to the ceiling,
 * with "full jitter" between half and all of it, so that hosts retrying together spread out.
 * @example backoffSeconds(DEFAULT_RETRY, 3, () => 1) // 4
 */
export function backoffSeconds(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** (attempt - 1));
  return ceiling / 2 + (ceiling / 2) * random();
}

/** What {@link withRetries} reports of each failed attempt. */
export interface RetryEvent {
  readonly attempt: number;
  readonly attempts: number;
  readonly reason: string;
  /** Seconds until the next attempt (undefined after the last). */
  readonly delaySeconds?: number;
}

/**
 * Run `attempt` until it succeeds (returns `{ ok: true }`) or the policy's attempts are spent;
 * between attempts, an interruptible backoff. Returns the last outcome.
 */
export async function withRetries<T extends { ok: boolean; reason?: string }>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  options: { signal?: AbortSignal; onRetry?: (e: RetryEvent) => void; random?: () => number } = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    throwIfInterrupted(options.signal);
    const outcome = await attempt(n);
    if (outcome.ok || n >= policy.attempts) {
      if (!outcome.ok) options.onRetry?.({ attempt: n, attempts: policy.attempts, reason: outcome.reason ?? "failed" });
      return outcome;
    }
    const delaySeconds = backoffSeconds(policy, n, options.random);
    options.onRetry?.({ attempt: n, attempts: policy.attempts, reason: outcome.reason ?? "failed", delaySeconds });
    await sleepUnlessInterrupted(delaySeconds * 1000, options.signal);
  }
}

/** "attempt 2/4 failed (reason); next in 2.3s". */
export function describeRetry(what: string, e: RetryEvent): string {
  const next = e.delaySeconds === undefined ? "giving up" : `next in ${e.delaySeconds.toFixed(1)}s`;
  return `${what}: attempt ${e.attempt}/${e.attempts} failed (${e.reason.split("\n")[0]}); ${next}`;
}
