/**
 * Ansible's host pattern language, used by a play's `hosts` and by `--limit`: `all` or `*`, a host,
 * a group, globs (`web*`, `db?`, `[ab]`), regexes (`~web[0-9]+`), joined by `,` or `:`, with
 * `&` to intersect and `!` to exclude. As in Ansible, unions apply first, then intersections, then
 * exclusions, whatever their order in the pattern; a pattern of only `&`/`!` terms starts from `all`.
 */

/** One element of a pattern. */
export interface PatternTerm {
  /** How it combines with the others. */
  readonly op: "union" | "intersect" | "exclude";
  /** The element without its `&`/`!` prefix. */
  readonly text: string;
}

function isIpv6(piece: string): boolean {
  return /^[0-9A-Fa-f:]+$/.test(piece) && (piece.includes("::") || piece.split(":").length === 8);
}

function splitColons(piece: string): string[] {
  if (piece.startsWith("~") || isIpv6(piece)) return [piece];
  return piece.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
}

/** Split a pattern into its elements: on commas, else on colons outside `[...]` (not in regexes or IPv6 addresses). */
export function splitHostPattern(pattern: string): PatternTerm[] {
  const pieces = pattern.includes(",") ? pattern.split(",") : [pattern];
  return pieces
    .flatMap((p) => (pattern.includes(",") ? [p.trim()] : splitColons(p.trim())))
    .filter((p) => p.length > 0)
    .map((p) =>
      p.startsWith("!")
        ? { op: "exclude", text: p.slice(1) }
        : p.startsWith("&")
          ? { op: "intersect", text: p.slice(1) }
          : { op: "union", text: p },
    );
}

/** Whether an element is a glob or a regex rather than a plain name. */
export function isWildcard(text: string): boolean {
  return text.startsWith("~") || /[*?[]/.test(text);
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
  return new RegExp(`^(?:${out})$`);
}

/** The test an element applies to host and group names. */
export function termMatcher(text: string): (name: string) => boolean {
  if (text === "all" || text === "*") return () => true;
  if (text.startsWith("~")) {
    const regex = new RegExp(`^(?:${text.slice(1)})`);
    return (name) => regex.test(name);
  }
  if (isWildcard(text)) {
    const regex = globToRegExp(text);
    return (name) => regex.test(name);
  }
  return (name) => name === text;
}
