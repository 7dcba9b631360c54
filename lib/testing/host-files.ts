/**
 * A listing of a host's files (path, type, mode, owner, size, modification time) taken with a
 * command of its own, not with bosun's facts, to prove that a run touched nothing.
 */
import { sh } from "../core/command.js";
import type { Connection } from "../core/connection.js";

/** Where a check run must change nothing; volatile trees (logs, caches, docker's data) are left out. */
export const WATCHED_DIRS = ["/etc", "/srv", "/opt", "/usr/local", "/home", "/root", "/var/spool/cron", "/var/lib/apt/lists"];

/** Paths under the watched directories that change by themselves (an SSH login updates them). */
const VOLATILE = [/^\/etc\/ld\.so\.cache$/, /^\/root\/\.ansible(\/|$)/, /\/\.cache(\/|$)/, /^\/etc\/\.pwd\.lock$/];

/** The listing command: one line per file, sorted. */
export function listFilesCommand(dirs: readonly string[] = WATCHED_DIRS) {
  return sh`for d in ${dirs}; do [ -e "$d" ] && find "$d" -xdev -printf '%p\\t%y\\t%m\\t%u:%g\\t%s\\t%T@\\n'; done 2>/dev/null | LC_ALL=C sort`;
}

/** Parse the listing into path -> attributes, dropping volatile paths. */
export function parseFileList(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab < 0) continue;
    const file = line.slice(0, tab);
    if (!VOLATILE.some((re) => re.test(file))) files.set(file, line.slice(tab + 1));
  }
  return files;
}

/** Differences between two listings, one line each: `+ added`, `- removed`, `~ changed`. */
export function compareFileLists(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  for (const [file, attrs] of after) {
    if (!before.has(file)) lines.push(`+ ${file}`);
    else if (before.get(file) !== attrs) lines.push(`~ ${file} (${before.get(file)} -> ${attrs})`);
  }
  for (const file of before.keys()) if (!after.has(file)) lines.push(`- ${file}`);
  return lines;
}

/** List the watched files of the host behind `connection`. */
export async function listHostFiles(connection: Connection, dirs?: readonly string[]): Promise<Map<string, string>> {
  const r = await connection.exec(listFilesCommand(dirs));
  return parseFileList(r.stdout);
}
