/**
 * Finds the programs a source file runs on this machine (the controller): the program of every
 * `runProcess`/`spawn`/`spawnSync`/`execFile`/`execFileSync`/`execSync`/`execa` call and zx `$`
 * template, every `onPath("x")`/`which("x")` probe, and every host binary copied out
 * (`docker cp /bin/busybox ...`, `copyFile("/usr/bin/x", ...)`). A call whose program is not a
 * literal (a variable, a computed path), a `new LocalConnection()`, an inventory host on
 * `ansible_connection: local` (`=local` in INI; both run the commands of tasks here), or a shell (whose script
 * names further programs) must say what it runs in a `// controller-tools: NAME ...` comment on
 * the lines right above it (`none` when it runs nothing of this machine's, e.g. a binary inside an
 * unpacked root filesystem); text after ` (` or ` -- ` in that comment is a reason, not a name.
 */

/** One program a source file runs on the controller. */
export interface ProgramUse {
  /** Basename of the program (`docker`, `busybox`), or of the shell. */
  readonly program: string;
  /** 1-based line of the call. */
  readonly line: number;
}

/** What {@link scanControllerPrograms} found in one file. */
export interface ScanResult {
  /** Programs named literally or in a `controller-tools:` comment. */
  readonly uses: readonly ProgramUse[];
  /** Lines of calls whose program (or shell script) cannot be read and carry no `controller-tools:` comment. */
  readonly unreadable: readonly number[];
}

/** Programs whose script, not their own name, decides what else runs. */
const SHELLS = new Set(["sh", "dash", "bash"]);

const CALL = /(?<![\w.$])(function\s+)?(runProcess|spawnSync|spawn|execFileSync|execFile|execSync|execaSync|execa)\s*\(\s*(\[\s*)?/g;
const ZX = /(?<![\w.$`])\$(?:\([^)]*\))?`\s*([^\s`$]+)?/g;
const PROBE = /(?<![\w.])(?:onPath|which)\(\s*(["'])([^"'\n]+)\1/g;
const BIN_PATH = /(["'`])(\/(?:usr\/)?(?:local\/)?s?bin\/[\w.+-]+)\1/g;
const LOCAL = /new LocalConnection\s*\(|ansible_connection(?:: |=)local\b/g;
const ANNOTATION = /\/\/\s*controller-tools:\s*(.*)$/;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function basename(program: string): string {
  return program.slice(program.lastIndexOf("/") + 1);
}

/** A string literal (no interpolation) at the start of `rest`, or undefined. */
function leadingLiteral(rest: string): string | undefined {
  const m = /^(["'`])([^"'`\n$]*)\1/.exec(rest);
  return m?.[2];
}

/** The names of the `controller-tools:` comment on `line` or in the comment lines right above it. */
function annotationAt(lines: readonly string[], line: number): string[] | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const text = lines[i] ?? "";
    const m = ANNOTATION.exec(text);
    if (m) {
      const names = (m[1] ?? "")
        .split(/ \(| -- /)[0]!
        .trim()
        .split(/[\s,]+/)
        .filter(Boolean);
      return names.filter((n) => n !== "none");
    }
    if (i < line - 1 && !/^\s*(\/\/|\*|\/\*)/.test(text)) return undefined;
  }
  return undefined;
}

/** The controller programs one source file runs (see the file comment for what is recognised). */
export function scanControllerPrograms(source: string): ScanResult {
  const lines = source.split("\n");
  const uses: ProgramUse[] = [];
  const unreadable: number[] = [];
  const note = (index: number, literal: string | undefined) => {
    const line = lineOf(source, index);
    const annotated = annotationAt(lines, line);
    if (annotated) uses.push(...annotated.map((program) => ({ program, line })));
    if (literal !== undefined) uses.push({ program: basename(literal), line });
    const readable = literal !== undefined && !SHELLS.has(basename(literal));
    if (!readable && !annotated) unreadable.push(line);
  };
  for (const m of source.matchAll(CALL)) {
    if (m[1]) continue; // the definition of a wrapper, not a call
    note(m.index, leadingLiteral(source.slice(m.index + m[0].length)));
  }
  if (/from ["']zx["']/.test(source)) for (const m of source.matchAll(ZX)) note(m.index, m[1]);
  for (const m of source.matchAll(LOCAL)) note(m.index, undefined);
  for (const m of source.matchAll(PROBE)) uses.push({ program: basename(m[2]!), line: lineOf(source, m.index) });
  for (const m of source.matchAll(BIN_PATH)) {
    const line = lineOf(source, m.index);
    if (/["']cp["']|copyFile/.test(lines[line - 1] ?? "")) uses.push({ program: basename(m[2]!), line });
  }
  return { uses, unreadable };
}
