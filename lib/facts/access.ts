/**
 * Building blocks of the access facts (users, authorized keys, sshd): one remote command made of
 * named sections, file content that cannot be mistaken for a section marker, and a `stat` line
 * that never follows a link. Each access fact gathers everything its task needs in ONE command.
 */
import { raw, sh, type Command } from "../core/command.js";

const MARKER = "@@bosun-section";

/** What one section of a probe printed, and its exit status. */
export interface ProbeSection {
  /** Exit status of the section's commands. */
  readonly code: number;
  /** Standard output of the section (without the marker). */
  readonly text: string;
}

/**
 * One command that runs each section in order and prints a marker line with the section's name and
 * exit status after it. A section's output must not contain a line starting with the marker: print
 * file content with {@link prefixedContent}.
 */
export function sectionedCommand(sections: ReadonlyArray<readonly [string, Command]>): Command {
  const parts = sections.map(([name, cmd]) => {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Cannot name a probe section ${JSON.stringify(name)}`);
    return sh`{ ${cmd}
}; printf '\\n%s %s %d@@\\n' ${raw(MARKER)} ${name} "$?"`.text;
  });
  return { text: parts.join("\n") };
}

/** Split a {@link sectionedCommand}'s output into its sections, by name. */
export function parseSections(stdout: string): Map<string, ProbeSection> {
  const out = new Map<string, ProbeSection>();
  const re = new RegExp(`\\n${MARKER} ([a-z0-9-]+) (\\d+)@@\\n`, "g");
  let start = 0;
  for (let m = re.exec(stdout); m; m = re.exec(stdout)) {
    out.set(m[1] as string, { code: Number(m[2]), text: stdout.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  return out;
}

/** A section by name; throws when the probe did not print it (cut off, or a shell error). */
export function section(sections: Map<string, ProbeSection>, name: string, stderr: string): ProbeSection {
  const s = sections.get(name);
  if (!s)
    throw new Error(
      `Cannot read the host's state: the probe stopped before "${name}"${stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join("; ")}` : ""}`,
    );
  return s;
}

/** Shell that prints the file in `"$<variable>"` with `|` before every line (decode with {@link unprefix}). */
export function prefixedContent(variable: string): Command {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new Error(`Cannot use ${variable} as a shell variable`);
  return { text: `sed 's/^/|/' -- "$${variable}"` };
}

/** The file content printed by {@link prefixedContent}. */
export function unprefix(text: string): string {
  return text
    .split("\n")
    .map((line, i, all) => (i === all.length - 1 && line === "" ? "" : line.startsWith("|") ? line.slice(1) : line))
    .join("\n");
}

/** What is at a path, read without following a link. */
export type NodeStat =
  | { readonly kind: "absent" | "link" | "other" }
  | {
      readonly kind: "file" | "dir";
      /** Four-digit octal mode. */
      readonly mode: string;
      /** Numeric owner. */
      readonly uid: number;
      /** Numeric group. */
      readonly gid: number;
      /** Owner name (`UNKNOWN` without one). */
      readonly owner: string;
      /** Group name (`UNKNOWN` without one). */
      readonly group: string;
    };

/** Shell that prints one {@link NodeStat} line for the path in `"$<variable>"`. */
export function statLine(variable: string): Command {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new Error(`Cannot use ${variable} as a shell variable`);
  const v = `"$${variable}"`;
  const st = `stat -c '%a\t%u\t%g\t%U\t%G' -- ${v}`;
  return {
    text: `if [ -L ${v} ]; then echo link; elif [ -d ${v} ]; then printf 'dir\\t'; ${st}; elif [ -f ${v} ]; then printf 'file\\t'; ${st}; elif [ -e ${v} ]; then echo other; else echo absent; fi`,
  };
}

/** Parse a {@link statLine} line. */
export function parseStatLine(line: string): NodeStat {
  const [kind = "", mode = "", uid = "", gid = "", owner = "", group = ""] = line.replace(/\n$/, "").split("\t");
  if (kind === "absent" || kind === "link" || kind === "other") return { kind };
  if ((kind === "file" || kind === "dir") && /^[0-7]{3,4}$/.test(mode)) {
    return { kind, mode: mode.padStart(4, "0"), uid: Number(uid), gid: Number(gid), owner, group };
  }
  throw new Error(`Cannot read a file's state: unexpected stat output ${JSON.stringify(line.slice(0, 80))}`);
}
