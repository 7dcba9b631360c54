/**
 * One probe command, several answers: docker facts print `@@bosun:<name>` marker lines between
 * the outputs of the commands they combine, and parse the sections back here.
 */
import { raw, type Command, type RawShell } from "../core/command.js";

const MARKER = /^@@bosun:([a-z][a-z0-9-]*)$/;

/** Shell text printing the marker line that starts section `name` (a constant identifier). */
export function section(name: string): RawShell {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Cannot use section name ${JSON.stringify(name)}`);
  return raw(`echo @@bosun:${name}`);
}

/** The sections of `stdout` by name; text before the first marker is ignored. Each keeps its lines. */
export function parseSections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const m = MARKER.exec(line);
    if (m?.[1]) {
      current = [];
      out.set(m[1], current);
    } else if (current) current.push(line);
  }
  for (const lines of out.values()) while (lines.length && lines[lines.length - 1] === "") lines.pop();
  return out;
}

/** The lines of section `name`, or [] when it is missing. */
export function sectionLines(sections: Map<string, string[]>, name: string): string[] {
  return sections.get(name) ?? [];
}

/** Decode a base64 section line (file content printed with `base64 -w0`); undefined when absent. */
export function base64Section(sections: Map<string, string[]>, name: string): string | undefined {
  const lines = sections.get(name);
  if (!lines || lines.length === 0) return undefined;
  const [first = ""] = lines;
  if (first === "absent") return undefined;
  return Buffer.from(first.replace(/^content /, ""), "base64").toString("utf8");
}

/** Several probe commands run one after the other in one remote command, whatever each exits with. */
export function script(...parts: readonly Command[]): Command {
  return { text: parts.map((p) => p.text).join("\n") };
}
