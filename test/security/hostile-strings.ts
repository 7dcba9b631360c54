/**
 * Hostile strings for injection tests: shell metacharacters, quotes, newlines, leading dashes,
 * globs, very long and exotic unicode text, each carrying a canary — an injected command that
 * would create `/tmp/bosun-canary-<id>` if any layer ever let the string reach a shell as code.
 * A generator (fast-check, deterministic seeds) and a fixed table of classics.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import fc from "fast-check";

/** Directory the canaries would be created in (on the host and on the controller). */
export const CANARY_DIR = "/tmp";
/** File name prefix of every canary. */
export const CANARY_PREFIX = "bosun-canary-";

/** The command that would create canary `id`; `compact`: without a blank (`touch${IFS}/tmp/...`). */
export function canaryCommand(id: string, compact = false): string {
  return `touch${compact ? "${IFS}" : " "}${CANARY_DIR}/${CANARY_PREFIX}${id}`;
}

/** Ways out of an argument, a quoted string, a line or a config field, each wrapping the canary command. */
export const BREAKOUTS: readonly ((cmd: string) => string)[] = [
  (c) => `$(${c})`,
  (c) => `\`${c}\``,
  (c) => `;${c};`,
  (c) => `; ${c} #`,
  (c) => ` && ${c}`,
  (c) => ` || ${c}`,
  (c) => `|${c}`,
  (c) => `&${c}&`,
  (c) => `\n${c}\n`,
  (c) => `\r\n${c}\r\n`,
  (c) => `'; ${c}; '`,
  (c) => `"; ${c}; "`,
  (c) => `'"$(${c})"'`,
  (c) => `\\'$(${c})\\'`,
  (c) => c.replace(/ /g, "${IFS}").replace(/^/, ";"),
  (c) => `$(IFS=_;${c.replace(/ /g, "_")})`,
  (c) => `>(${c})`,
  (c) => `$((1))$(${c})`,
  (c) => `\${x:-$(${c})}`,
  (c) => `%0a${c}`,
  (c) => `{{${c}}}`,
  (c) => `\nExecStartPre=/bin/sh -c '${c}'\n`,
  (c) => `\n* * * * * root ${c}\n`,
  (c) => `\nALL ALL=(ALL) NOPASSWD: ALL\n#${c}`,
];

/** Text that surrounds a breakout: quotes, escapes, globs, options, format strings, exotic unicode. */
export const NOISE: readonly string[] = [
  "'",
  '"',
  "`",
  "\\",
  "\\\\",
  "$",
  "${IFS}",
  "$HOME",
  "$(",
  ")",
  ";",
  "&&",
  "|",
  "\t",
  "\n",
  "\r",
  " ",
  "-rf",
  "--help",
  "-",
  "*",
  "?",
  "[a]",
  "~",
  "~root",
  "%s",
  "%n%n",
  "%%",
  "{}",
  "{{x}}",
  "#",
  "!",
  "=",
  ":",
  ",",
  "/",
  "\u202Eevil\u202C", // right-to-left override
  "\u0645\u0631\u062D\u0628\u0627", // Arabic (RTL text)
  "\u{1F4A3}\u{1F525}", // emoji (astral code points)
  "e\u0301\u0327", // combining marks
  "\u200B\uFEFF", // zero-width space, BOM
  "\u2028\u2029", // unicode line and paragraph separators
  "\u00A0", // no-break space
  "ﬁ", // ligature (changes under NFKC)
  "Straße",
];

/** One generated hostile string and the canary it carries. */
export interface Hostile {
  /** The string. */
  readonly value: string;
  /** The canary id (`/tmp/bosun-canary-<id>` exists only if the injection ran). */
  readonly canary: string;
}

/** The canary ids of these values. */
export function canariesOf(values: readonly Hostile[]): string[] {
  return values.map((v) => v.canary);
}

/** Options of {@link hostileString}. */
export interface HostileOptions {
  /** Longest value (characters, before the breakout); default 200. Values of 10k characters are always among the choices. */
  readonly maxNoise?: number;
  /** Allow NUL bytes (only for text that travels on stdin). */
  readonly nul?: boolean;
  /** No whitespace at all (URLs, refs, image names refuse it): the canary hides behind `${IFS}`. */
  readonly compact?: boolean;
}

/** An arbitrary of hostile strings: noise, a breakout carrying a canary, noise; sometimes 10k characters long. */
export function hostileString(options: HostileOptions = {}): fc.Arbitrary<Hostile> {
  const blank = (s: string) => /\s/.test(s);
  const noise = [...NOISE, ...(options.nul ? ["\0", "a\0b"] : [])].filter((n) => !options.compact || !blank(n));
  const part = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...noise) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 6 }).map((s) => (options.compact ? s.replace(/\s/g, "") : s)) },
  );
  const breakouts = options.compact ? BREAKOUTS.filter((b) => !/[\n\r]/.test(b("x"))) : BREAKOUTS;
  const id = fc.stringMatching(/^[a-z0-9]{10}$/);
  const long = fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 10_000);
  return fc
    .tuple(fc.array(part, { maxLength: 4 }), fc.nat(breakouts.length - 1), fc.array(part, { maxLength: 4 }), id, long)
    .map(([before, which, after, canary, longBy]) => {
      const breakout = breakouts[which] as (cmd: string) => string;
      const padding = longBy ? "$(x)`y`;".repeat(Math.ceil(longBy / 8)).slice(0, longBy) : "";
      const head = before.join("").slice(0, options.maxNoise ?? 200);
      const payload = breakout(canaryCommand(canary, options.compact));
      return { value: `${head}${options.compact ? payload.replace(/\s/g, "") : payload}${after.join("")}${padding}`, canary };
    })
    .filter((h) => !/\p{Cs}/u.test(h.value)); // well-formed UTF-16 only (no lone surrogates)
}

/** A fixed, well-known list of injection strings; `{c}` is the canary command, `{id}` its id. */
export const CLASSICS: readonly string[] = [
  "$({c})",
  "`{c}`",
  "'; {c}; echo '",
  "\n{c}",
  "a;{c}",
  "| {c}",
  '"; {c}; echo "',
  "--help -rf $({c})",
  "* ? [a] ~ %s%n $({c})",
  "\\$({c})\\",
  "'\\''$({c})'\\''",
  "{{{c}}} {{> x}} {{#each y}}",
];

/** The first `count` classics (all by default), each with its own canary; `salt` makes the ids distinct per parameter. */
export function classics(salt: string, count = CLASSICS.length): Hostile[] {
  return CLASSICS.slice(0, count).map((template, i) => {
    const canary = createHash("sha256").update(`${salt}:${i}`).digest("hex").slice(0, 10);
    return { value: template.replaceAll("{c}", canaryCommand(canary)).replaceAll("{id}", canary), canary };
  });
}

/** A deterministic seed for a parameter name. */
export function seedOf(name: string): number {
  return createHash("sha256").update(name).digest().readInt32BE(0);
}

/**
 * `runs` generated values for parameter `name` (deterministic): half of them without any
 * whitespace (many parameters refuse it outright, the rest of the string must still be tried),
 * followed by the classics.
 */
export function hostileValues(name: string, runs: number, options: HostileOptions = {}, classicsCount = CLASSICS.length): Hostile[] {
  const compact = Math.floor(runs / 2);
  const generated = fc.sample(hostileString(options), { numRuns: runs - compact, seed: seedOf(name) });
  const tight = compact
    ? fc.sample(hostileString({ ...options, compact: true }), { numRuns: compact, seed: seedOf(`${name}:compact`) })
    : [];
  return [...generated, ...tight, ...classics(name, classicsCount)];
}

/** Canary files present in a local directory listing. */
export function localCanaries(dir = CANARY_DIR): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(CANARY_PREFIX));
}
