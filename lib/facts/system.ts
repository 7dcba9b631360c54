/**
 * Host basics: the host name, the time zone, a kernel parameter, and small file snapshots that
 * tasks combine with other probes in one command.
 */
import { defineFact } from "../core/fact.js";
import { sh, raw, type Command } from "../core/command.js";
import { parseSections, section, sectionLines } from "./docker-sections.js";

/** A file as a combined probe sees it: its checksum and, when asked, its content. */
export type FileSnapshot =
  | { readonly kind: "absent" }
  | { readonly kind: "other" }
  | { readonly kind: "file"; readonly sha256: string; /** Content, when asked for. */ readonly content?: Buffer };

/** Shell text printing a {@link FileSnapshot} of `path` on three lines at most (content as base64). */
export function fileSnapshotCommand(path: string, content: boolean): Command {
  const body = content ? raw(`base64 -w0 < "$p"; echo`) : raw(":");
  return sh`p=${path}; if [ -f "$p" ] && ! [ -L "$p" ]; then echo file; sha256sum < "$p" | cut -d' ' -f1; ${body}; elif [ -e "$p" ] || [ -L "$p" ]; then echo other; else echo absent; fi`;
}

/** Parse the lines of {@link fileSnapshotCommand}. */
export function parseFileSnapshot(lines: readonly string[]): FileSnapshot {
  const [kind, sha256 = "", b64] = lines;
  if (kind === "absent") return { kind: "absent" };
  if (kind !== "file") return { kind: "other" };
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`Cannot read file: ${sha256 || "no checksum (permission denied?)"}`);
  return b64 === undefined ? { kind: "file", sha256 } : { kind: "file", sha256, content: Buffer.from(b64, "base64") };
}

/** The host's name as the kernel, /etc/hostname and /etc/hosts have it. */
export interface HostnameState {
  /** `hostname` (the kernel's, i.e. the transient name). */
  readonly current: string;
  /** First line of /etc/hostname ("" when missing). */
  readonly file: string;
  /** /etc/hosts content and checksum (for a guarded edit). */
  readonly hosts: { readonly content: string; readonly sha256: string } | undefined;
}

/** One command: `hostname`, /etc/hostname and /etc/hosts. */
export const hostnameState = defineFact<void, HostnameState>({
  id: "system.hostnameState",
  command: () =>
    sh`${section("current")}; hostname; ${section("file")}; head -n 1 /etc/hostname 2>/dev/null; ${section("hosts")}; ${fileSnapshotCommand("/etc/hosts", true)}`,
  parse: (r) => {
    const s = parseSections(r.stdout);
    const hosts = parseFileSnapshot(sectionLines(s, "hosts"));
    return {
      current: (sectionLines(s, "current")[0] ?? "").trim(),
      file: (sectionLines(s, "file")[0] ?? "").trim(),
      hosts: hosts.kind === "file" ? { content: hosts.content?.toString("utf8") ?? "", sha256: hosts.sha256 } : undefined,
    };
  },
});

/** The configured time zone. */
export interface TimezoneState {
  /** The zone /etc/localtime points to (`Etc/UTC`), or undefined when it is not a link into zoneinfo. */
  readonly localtime?: string;
  /** /etc/timezone's content, or undefined when the file does not exist. */
  readonly timezoneFile?: string;
  /** Whether /usr/share/zoneinfo/<zone> exists for the zone asked about. */
  readonly known: boolean;
  /** Whether timedatectl is there and works (systemd-timedated reachable). */
  readonly timedatectl: boolean;
}

/** The zone name in a /etc/localtime link target (`../usr/share/zoneinfo/Europe/Berlin` → `Europe/Berlin`). */
export function zoneFromLink(target: string): string | undefined {
  const i = target.indexOf("zoneinfo/");
  return i < 0 ? undefined : target.slice(i + "zoneinfo/".length).replace(/^(posix|right)\//, "");
}

/** One command: the /etc/localtime link, /etc/timezone, whether `zone` exists and timedatectl works. */
export const timezoneState = defineFact<string, TimezoneState>({
  id: "system.timezoneState",
  command: (zone) =>
    sh`${section("link")}; readlink /etc/localtime; ${section("file")}; if [ -f /etc/timezone ]; then echo "file $(head -n 1 /etc/timezone)"; fi; ${section("known")}; if [ -f /usr/share/zoneinfo/${zone} ]; then echo yes; else echo no; fi; ${section("timedatectl")}; if timedatectl show -p Timezone >/dev/null 2>&1; then echo yes; else echo no; fi`,
  parse: (r) => {
    const s = parseSections(r.stdout);
    const link = sectionLines(s, "link")[0];
    const file = sectionLines(s, "file")[0];
    return {
      localtime: link ? zoneFromLink(link.trim()) : undefined,
      timezoneFile: file?.startsWith("file ") ? file.slice(5).trim() : undefined,
      known: sectionLines(s, "known")[0] === "yes",
      timedatectl: sectionLines(s, "timedatectl")[0] === "yes",
    };
  },
});

/** Argument of {@link sysctlState}. */
export interface SysctlQuery {
  /** Kernel parameter, e.g. `net.ipv4.ip_forward`. */
  readonly key: string;
  /** The drop-in file to read. */
  readonly file: string;
}

/** A kernel parameter's live value and the drop-in file that sets it. */
export interface SysctlState {
  /** Live value with whitespace normalised, or undefined when the kernel has no such key. */
  readonly live?: string;
  /** Why the live value could not be read. */
  readonly liveError?: string;
  /** The drop-in file. */
  readonly file: FileSnapshot;
}

/** Normalise a sysctl value for comparison: runs of whitespace become one space. */
export function normaliseSysctl(value: string | number): string {
  return String(value).trim().split(/\s+/).join(" ");
}

/** One command: `sysctl -n KEY` and the drop-in file. */
export const sysctlState = defineFact<SysctlQuery, SysctlState>({
  id: "system.sysctlState",
  command: (q) =>
    sh`${section("live")}; if v=$(sysctl -n -- ${q.key} 2>&1); then printf 'ok %s\\n' "$v"; else printf 'error %s\\n' "$v"; fi; ${section("file")}; ${fileSnapshotCommand(q.file, true)}`,
  parse: (r) => {
    const s = parseSections(r.stdout);
    const live = sectionLines(s, "live").join("\n");
    const file = parseFileSnapshot(sectionLines(s, "file"));
    if (live.startsWith("ok ")) return { live: normaliseSysctl(live.slice(3)), file };
    return { liveError: live.replace(/^error /, "").trim() || "no answer", file };
  },
});
