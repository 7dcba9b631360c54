/**
 * Ansible's host ranges in inventory host names, expanded as `expand_hostname_range` does:
 * `www[01:50].example.com` (zero-padded when the start is, start and end of equal length),
 * `mail[:5]` (the start defaults to 0), letters `db-[a:f]` (a..z then A..Z), a step `[1:9:2]`.
 * Several ranges in one name multiply, the first one outermost.
 */

const LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function sequence(bounds: string[], name: string): string[] {
  if (bounds.length !== 2 && bounds.length !== 3)
    throw new Error(`Cannot expand host range in "${name}": a range is [begin:end] or [begin:end:step]`);
  const begin = bounds[0] || "0";
  const end = bounds[1] ?? "";
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) throw new Error(`Cannot expand host range in "${name}": the range has no end`);
  if (!Number.isInteger(step) || step < 1)
    throw new Error(`Cannot expand host range in "${name}": the step must be a whole number of 1 or more`);
  const width = begin.length > 1 && begin.startsWith("0") ? begin.length : 0;
  if (width && width !== end.length)
    throw new Error(`Cannot expand host range in "${name}": begin and end must have the same length when zero-padded`);
  const from = LETTERS.indexOf(begin);
  const to = LETTERS.indexOf(end);
  if (begin.length === 1 && end.length === 1 && from >= 0 && to >= 0) {
    if (from > to) throw new Error(`Cannot expand host range in "${name}": the start is after the end`);
    const out: string[] = [];
    for (let i = from; i <= to; i += step) out.push(LETTERS.charAt(i));
    return out;
  }
  if (!/^[0-9]+$/.test(begin) || !/^[0-9]+$/.test(end))
    throw new Error(`Cannot expand host range in "${name}": [${bounds.join(":")}] mixes digits and letters`);
  const out: string[] = [];
  for (let i = Number(begin); i <= Number(end); i += step) out.push(width ? String(i).padStart(width, "0") : String(i));
  return out;
}

/** Every host name a pattern such as `web[1:3]` stands for (the name itself when it has no `[`). */
export function expandHostRange(name: string): string[] {
  const open = name.indexOf("[");
  if (open < 0) return [name];
  const close = name.indexOf("]", open);
  if (close < 0) throw new Error(`Cannot expand host range in "${name}": "[" without "]"`);
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  return sequence(name.slice(open + 1, close).split(":"), name).flatMap((value) => expandHostRange(`${head}${value}${tail}`));
}
