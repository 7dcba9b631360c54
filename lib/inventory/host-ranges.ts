/**
 * Ansible's host ranges in inventory host names: `www[01:50].example.com` (zero-padded like the
 * start), `db-[a:f]`, and a step `[1:9:2]`. Several ranges in one name multiply.
 */

const rangePattern = /\[([0-9]+|[a-zA-Z]):([0-9]+|[a-zA-Z])(?::([0-9]+))?\]/;

function expandOne(first: string, last: string, step: number): string[] {
  const numeric = /^[0-9]+$/.test(first);
  if (numeric !== /^[0-9]+$/.test(last)) throw new Error(`Cannot expand host range [${first}:${last}]: mixes digits and letters`);
  const from = numeric ? Number(first) : first.charCodeAt(0);
  const to = numeric ? Number(last) : last.charCodeAt(0);
  if (from > to) throw new Error(`Cannot expand host range [${first}:${last}]: the start is after the end`);
  if (step < 1) throw new Error(`Cannot expand host range [${first}:${last}:${step}]: the step must be 1 or more`);
  const width = numeric && first.startsWith("0") ? first.length : 0;
  const out: string[] = [];
  for (let i = from; i <= to; i += step) out.push(numeric ? String(i).padStart(width, "0") : String.fromCharCode(i));
  return out;
}

/** Every host name a pattern such as `web[1:3]` stands for (the name itself when it has no range). */
export function expandHostRange(name: string): string[] {
  const match = rangePattern.exec(name);
  if (!match) return [name];
  const [whole, first = "", last = "", step] = match;
  const head = name.slice(0, match.index);
  const tail = name.slice(match.index + whole.length);
  return expandOne(first, last, step === undefined ? 1 : Number(step)).flatMap((v) => expandHostRange(`${head}${v}${tail}`));
}
