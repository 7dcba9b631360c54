/**
 * GitLab Runner facts: how it is installed (apt source, keyring, package) and what its
 * config.toml holds. config.toml is read through a filter on the host that keeps only the keys
 * bosun compares (never `token`), each with its line number, and parsed here (a TOML subset).
 */
import { defineFact } from "../core/fact.js";
import { sh } from "../core/command.js";
import { parseSections, section, sectionLines } from "./docker-sections.js";

/** Where the install task keeps the repository's files. */
export const RUNNER_SOURCES = "/etc/apt/sources.list.d/gitlab-runner.sources";
/** The repository's keyring (dearmored), named in `Signed-By`. */
export const RUNNER_KEYRING = "/etc/apt/keyrings/gitlab-runner.gpg";

/** A small file as the probe saw it. */
export type SmallFile = { readonly kind: "absent" | "other" } | { readonly kind: "file"; readonly sha256: string; readonly text: string };

/** What {@link gitlabRunnerInstall} reads. */
export interface RunnerInstallState {
  /** os-release ID (`debian`, `ubuntu`). */
  readonly osId: string;
  /** os-release VERSION_CODENAME (`bookworm`). */
  readonly codename: string;
  /** The keyring file. */
  readonly keyring: SmallFile;
  /** The .sources file (with its text). */
  readonly sources: SmallFile;
  /** The installed version of gitlab-runner, if installed. */
  readonly version?: string;
}

function fileProbe(path: string, withText: boolean) {
  const text = withText ? sh`base64 -w0 < "$p"; echo` : sh`echo`;
  return sh`p=${path}; if [ -f "$p" ] && ! [ -L "$p" ]; then echo file; sha256sum < "$p" | cut -d' ' -f1; ${text}; elif [ -e "$p" ] || [ -L "$p" ]; then echo other; else echo absent; fi`;
}

function parseFile(lines: readonly string[]): SmallFile {
  const [kind, sha256 = "", b64 = ""] = lines;
  if (kind === "file") return { kind, sha256, text: Buffer.from(b64, "base64").toString("utf8") };
  return { kind: kind === "absent" ? "absent" : "other" };
}

/** One command: os-release, the keyring, the source file and the package's status. */
export const gitlabRunnerInstall = defineFact<void, RunnerInstallState>({
  id: "ci.gitlabRunnerInstall",
  command: () =>
    sh`${section("os")}; (. /etc/os-release && echo "$ID" && echo "$VERSION_CODENAME"); ${section("keyring")}; ${fileProbe(RUNNER_KEYRING, false)}; ${section("sources")}; ${fileProbe(RUNNER_SOURCES, true)}; ${section("dpkg")}; dpkg-query -W -f='\${db:Status-Status} \${Version}\\n' gitlab-runner 2>/dev/null; true`,
  parse(r) {
    const s = parseSections(r.stdout);
    const [osId = "", codename = ""] = sectionLines(s, "os");
    const [status, version] = (sectionLines(s, "dpkg")[0] ?? "").split(" ");
    return {
      osId,
      codename,
      keyring: parseFile(sectionLines(s, "keyring")),
      sources: parseFile(sectionLines(s, "sources")),
      ...(status === "installed" && version ? { version } : {}),
    };
  },
});

/** A TOML value bosun reads, with the line it is on (1-based) and that line verbatim. */
export interface ConfigValue<T> {
  readonly value: T;
  readonly line: number;
  readonly text: string;
}

/** One `[[runners]]` entry, as far as bosun compares it. */
export interface RunnerEntry {
  /** Line of its `[[runners]]` header. */
  readonly line: number;
  readonly name?: ConfigValue<string>;
  readonly url?: ConfigValue<string>;
  readonly executor?: ConfigValue<string>;
  /** Its `[runners.docker]` header, when it has one. */
  readonly docker?: ConfigValue<string>;
  readonly image?: ConfigValue<string>;
  readonly privileged?: ConfigValue<boolean>;
}

/** config.toml as bosun reads it. */
export interface RunnerConfig {
  /** absent: no file; other: not a regular file; unreadable: permission denied. */
  readonly file: "present" | "absent" | "other" | "unreadable";
  /** The global `concurrent`. */
  readonly concurrent?: ConfigValue<number>;
  /** Registered runners in file order. */
  readonly runners: readonly RunnerEntry[];
}

/** What {@link gitlabRunnerConfig} reads: the binary and config.toml. */
export interface RunnerConfigState extends RunnerConfig {
  /** Whether `gitlab-runner` is on the PATH. */
  readonly installed: boolean;
}

/** A TOML scalar (basic or literal string, boolean, integer); undefined for anything else. */
export function parseTomlScalar(raw: string): string | number | boolean | undefined {
  const v = raw.replace(/\s+#.*$/, "").trim();
  if (v === "true" || v === "false") return v === "true";
  if (/^[+-]?\d[\d_]*$/.test(v)) return Number(v.replace(/_/g, ""));
  if (/^'[^']*'$/.test(v)) return v.slice(1, -1);
  if (/^"(?:[^"\\]|\\.)*"$/.test(v)) {
    try {
      return JSON.parse(v.replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))) as string;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Parse the `NR:line` output of the filter (or a whole config.toml, numbered) into {@link RunnerConfig}. */
export function parseRunnerConfig(numbered: readonly string[]): RunnerConfig {
  const runners: RunnerEntry[] = [];
  let concurrent: ConfigValue<number> | undefined;
  let table = "";
  let current: { -readonly [K in keyof RunnerEntry]: RunnerEntry[K] } | undefined;
  for (const entry of numbered) {
    const m = /^(\d+):(.*)$/.exec(entry);
    if (!m) continue;
    const line = Number(m[1]);
    const text = m[2] ?? "";
    const header = /^\s*(\[\[?)\s*([A-Za-z0-9_.\s"-]+?)\s*\]\]?\s*(#.*)?$/.exec(text);
    if (header) {
      table = `${header[1]}${(header[2] ?? "").replace(/\s+/g, "")}`;
      if (table === "[[runners") {
        current = { line };
        runners.push(current);
      } else if (table === "[runners.docker" && current) current.docker = { value: "runners.docker", line, text };
      continue;
    }
    const kv = /^\s*([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(text);
    if (!kv) continue;
    const key = kv[1] ?? "";
    const value = parseTomlScalar(kv[2] ?? "");
    if (table === "" && key === "concurrent" && typeof value === "number") concurrent = { value, line, text };
    if (table === "[[runners" && current && typeof value === "string" && (key === "name" || key === "url" || key === "executor"))
      current[key] = { value, line, text };
    if (table === "[runners.docker" && current) {
      if (key === "image" && typeof value === "string") current.image = { value, line, text };
      if (key === "privileged" && typeof value === "boolean") current.privileged = { value, line, text };
    }
  }
  return { file: "present", concurrent, runners };
}

// Lines of config.toml that bosun reads; `token` lines (and everything else) never leave the host.
const FILTER = String.raw`/^[ \t]*(\[|(concurrent|name|url|executor|image|privileged)[ \t]*=)/ { print NR ":" $0 }`;

/** One command: whether gitlab-runner is installed, and the filtered lines of config.toml. */
export const gitlabRunnerConfig = defineFact<string, RunnerConfigState>({
  id: "ci.gitlabRunnerConfig",
  command: (configFile) =>
    sh`${section("bin")}; command -v gitlab-runner || echo missing; ${section("config")}; f=${configFile}; if ! [ -e "$f" ]; then echo absent; elif ! [ -f "$f" ]; then echo other; elif ! [ -r "$f" ]; then echo unreadable; else echo present; awk ${FILTER} "$f"; fi`,
  parse(r) {
    const s = parseSections(r.stdout);
    const installed = (sectionLines(s, "bin")[0] ?? "missing") !== "missing";
    const [file = "absent", ...lines] = sectionLines(s, "config");
    if (file !== "present") return { installed, file: file as RunnerConfig["file"], runners: [] };
    return { installed, ...parseRunnerConfig(lines) };
  },
});
