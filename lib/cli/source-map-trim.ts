/**
 * A compiled playbook's source map cut down to the files a user wrote. Node parses a module's whole
 * source map the first time a stack trace is read (a task records where it was declared), which for
 * a playbook compiled with bosun's ~200 sources cost about 50 ms of every start, plus as much again in
 * garbage collection. Where a task was declared is always in the playbook's own files (lib/core/callsite.ts
 * skips bosun's and node_modules' frames), so the map keeps the mappings of those and marks every
 * other stretch of generated code as unmapped: a frame there shows its compiled position. One bare
 * segment starts each unmapped stretch, however many lines it runs on (a lookup takes the last segment
 * at or before its position), so node parses about as many segments as the user's files have.
 */

/** A source map, version 3, as esbuild writes it. */
export interface RawSourceMap {
  readonly version: number;
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
  readonly names: readonly string[];
  readonly mappings: string;
  readonly [key: string]: unknown;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The VLQ numbers of one segment. */
function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of segment) {
    const digit = DIGIT.get(c);
    if (digit === undefined) throw new Error(`Invalid source map: "${c}" in mappings`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeValue(n: number): string {
  let vlq = n < 0 ? -n * 2 + 1 : n * 2;
  let out = "";
  do {
    let digit = vlq % 32;
    vlq = Math.floor(vlq / 32);
    if (vlq > 0) digit |= 32;
    out += BASE64[digit];
  } while (vlq > 0);
  return out;
}

/** `map` with only the mappings into sources for which `keep` is true; the rest of the generated code is unmapped. */
export function trimSourceMap(map: RawSourceMap, keep: (source: string) => boolean): RawSourceMap {
  const newIndex = new Map<number, number>();
  const sources: string[] = [];
  map.sources.forEach((source, i) => {
    if (!keep(source)) return;
    newIndex.set(i, sources.length);
    sources.push(source);
  });
  // Absolute values while reading (every field but the column runs on across lines); deltas again while writing.
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  let outSource = 0;
  let outLine = 0;
  let outColumn = 0;
  let outName = 0;
  let unmapped = false; // runs on across lines: a lookup in a later line finds this stretch's bare segment
  const lines = map.mappings.split(";").map((text) => {
    let generated = 0;
    let outGenerated = 0;
    const segments: string[] = [];
    for (const segment of text ? text.split(",") : []) {
      const v = decodeSegment(segment);
      generated += v[0] ?? 0;
      if (v.length >= 4) {
        source += v[1] as number;
        line += v[2] as number;
        column += v[3] as number;
      }
      if (v.length >= 5) name += v[4] as number;
      const target = v.length >= 4 ? newIndex.get(source) : undefined;
      if (target === undefined) {
        // Unmapped from here (from the line's start when nothing before it on the line is kept): one bare segment until the next kept one.
        if (unmapped) continue;
        const at = segments.length === 0 ? 0 : generated;
        segments.push(encodeValue(at - outGenerated));
        outGenerated = at;
        unmapped = true;
        continue;
      }
      let out =
        encodeValue(generated - outGenerated) +
        encodeValue(target - outSource) +
        encodeValue(line - outLine) +
        encodeValue(column - outColumn);
      if (v.length >= 5) {
        out += encodeValue(name - outName);
        outName = name;
      }
      segments.push(out);
      outGenerated = generated;
      outSource = target;
      outLine = line;
      outColumn = column;
      unmapped = false;
    }
    return segments.join(",");
  });
  const trimmed: Record<string, unknown> = { ...map, sources, mappings: lines.join(";") };
  if (map.sourcesContent) trimmed.sourcesContent = [...newIndex.keys()].map((i) => map.sourcesContent?.[i] ?? null);
  return trimmed as unknown as RawSourceMap;
}
