/** Small statistics for benchmark samples: median and spread. */

/** Median, minimum and maximum of some samples (NaN when there are none). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Number of samples. */
  readonly n: number;
}

/** The median and min–max of `values` (NaN values dropped). */
export function spread(values: readonly number[]): Spread {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!s.length) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}

/** `1.23 (1.10–1.40)` with `digits` decimals, after dividing by `scale`. */
export function formatSpread(s: Spread, digits = 2, scale = 1): string {
  if (!s.n) return "–";
  const f = (v: number) => (v / scale).toFixed(digits);
  return s.n === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
