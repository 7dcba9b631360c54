/**
 * Ansible's host pattern language, used by a play's `hosts` and by `--limit`: `all` or `*`, a host,
 * a group, globs (`web*`, `db?`, `[ab]`), regexes (`~web[0-9]+`), a subscript on any of them but a
 * regex (`app[0]`, `app[-1]`, `app[1:3]`, `app[2:]`), joined by `,` or `:`, with `&` to intersect and
 * `!` to exclude. As in Ansible, unions apply first, then intersections, then exclusions, whatever
 * their order in the pattern; a pattern of only `&`/`!` terms starts from `all`.
 */

/** One element of a pattern. */
export interface PatternTerm {
  /** How it combines with the others. */
  readonly op: "union" | "intersect" | "exclude";
  /** The element without its `&`/`!` prefix. */
  readonly text: string;
}

const RANGE = String.raw`\[(?:[a-zA-Z]:[a-zA-Z]|[0-9]+:[0-9]+(?::[0-9]+)?)\]`;
const LABEL = String.raw`(?:\w|${RANGE})(?:[\w-]|${RANGE})*`;
const ADDRESS = new RegExp(String.raw`^${LABEL}(?:\.${LABEL})*(?::[0-9]+)?$`);

function isIpv6(piece: string): boolean {
  return /^[0-9A-Fa-f:]+$/.test(piece) && (piece.includes("::") || piece.split(":").length === 8);
}

/** Whether Ansible's `parse_address` reads the whole pattern as one host (name or address, optional port, ranges). */
function isAddress(pattern: string): boolean {
  return isIpv6(pattern) || /^\[[0-9A-Fa-f:]+\](?::[0-9]+)?$/.test(pattern) || ADDRESS.test(pattern);
}

/**
 * Split a pattern into its elements as Ansible's `split_host_pattern` does: on commas when there is
 * one; else the whole pattern when it reads as one host address (`web1:22`, `web[1:3]`, an IPv6
 * address); else on colons and whitespace outside `[...]` (a regex with a colon must use commas).
 */
export function splitHostPatternText(pattern: string): string[] {
  const pieces = pattern.includes(",")
    ? pattern.split(",")
    : isAddress(pattern.trim())
      ? [pattern]
      : (pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? []);
  return pieces.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** One element as a term. */
export function toTerm(piece: string): PatternTerm {
  if (piece.startsWith("!")) return { op: "exclude", text: piece.slice(1) };
  if (piece.startsWith("&")) return { op: "intersect", text: piece.slice(1) };
  return { op: "union", text: piece };
}

/** Split a pattern into its terms (see {@link splitHostPatternText}). */
export function splitHostPattern(pattern: string): PatternTerm[] {
  return splitHostPatternText(pattern).map(toTerm);
}

/** Whether an element is a glob or a regex rather than a plain name (Ansible also tries host names then). */
export function isWildcard(text: string): boolean {
  return text.startsWith("~") || /[.?*[]/.test(text);
}

/** A glob (`*`, `?`, `[ab]`, `[!ab]`) as an anchored regular expression, like Python's fnmatch. */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    const close = c === "[" ? glob.indexOf("]", i + 2) : -1;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (close > 0) {
      const body = glob.slice(i + 1, close);
      out += `[${body.startsWith("!") ? `^${body.slice(1)}` : body.replace(/\\/g, "\\\\")}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^(?:${out})$`, "s");
}

/** The test an element applies to host and group names: a regex (`~`, anchored at the start only, as Python's `re.match`) or a glob. */
export function termMatcher(text: string): (name: string) => boolean {
  const regex = text.startsWith("~") ? new RegExp(`^(?:${text.slice(1)})`) : globToRegExp(text);
  return (name) => regex.test(name);
}

/** An element with a subscript (`app[0]`, `app[-1]`, `app[1:3]`, `app[2:]`), split; regexes never have one. */
export function splitSubscript(text: string): { readonly expr: string; readonly start?: number; readonly end?: number } {
  if (text.startsWith("~")) return { expr: text };
  const m = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/.exec(text);
  if (!m) return { expr: text };
  if (m[2] !== undefined) return { expr: m[1]!, start: Number(m[2]) };
  return { expr: m[1]!, start: Number(m[3]), end: m[5] ? Number(m[5]) : -1 };
}
