import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Debian mirrors the lab uses, as configured in this machine's apt sources. */
export interface DebianMirrors {
  /** Main archive, e.g. `http://deb.debian.org/debian`. */
  readonly archive: string;
  /** Security archive, e.g. `http://deb.debian.org/debian-security`. */
  readonly security: string;
}

/** Debian's own mirrors, used when this machine's apt sources name none for the suite. */
export const DEFAULT_MIRRORS: DebianMirrors = {
  archive: "http://deb.debian.org/debian",
  security: "http://deb.debian.org/debian-security",
};

interface Source {
  readonly uri: string;
  readonly suites: readonly string[];
}

/** Parse deb822 `.sources` text into (URI, suites) pairs of its `Types: deb` stanzas. */
export function parseDeb822Sources(text: string): Source[] {
  const out: Source[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split("\n")) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
    }
    if (!(fields.get("types") ?? "").split(/\s+/).includes("deb")) continue;
    const suites = (fields.get("suites") ?? "").split(/\s+/).filter(Boolean);
    for (const uri of (fields.get("uris") ?? "").split(/\s+/).filter(Boolean)) out.push({ uri, suites });
  }
  return out;
}

/** Parse one-line-style `sources.list` text into (URI, suites) pairs of its `deb` lines. */
export function parseOneLineSources(text: string): Source[] {
  const out: Source[] = [];
  for (const raw of text.split("\n")) {
    const words = raw
      .replace(/#.*/, "")
      .replace(/\[[^\]]*\]/, "")
      .trim()
      .split(/\s+/);
    if (words[0] === "deb" && words[1] && words[2]) out.push({ uri: words[1], suites: [words[2]] });
  }
  return out;
}

function machineSources(dir: string): Source[] {
  const files = [path.join(dir, "sources.list")];
  const partsDir = path.join(dir, "sources.list.d");
  if (existsSync(partsDir)) for (const f of readdirSync(partsDir).sort()) files.push(path.join(partsDir, f));
  return files.flatMap((file) => {
    if (!existsSync(file)) return [];
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) return parseDeb822Sources(text);
    if (file.endsWith(".list")) return parseOneLineSources(text);
    return [];
  });
}

/** The Debian mirrors this machine's apt uses for `suite` (and `suite`-security), with Debian's as fallback. */
export function debianMirrors(suite: string, aptDir = "/etc/apt"): DebianMirrors {
  const sources = machineSources(aptDir);
  const find = (s: string) => sources.find((src) => src.suites.includes(s))?.uri.replace(/\/+$/, "");
  return {
    archive: find(suite) ?? DEFAULT_MIRRORS.archive,
    security: find(`${suite}-security`) ?? DEFAULT_MIRRORS.security,
  };
}
