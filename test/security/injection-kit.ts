/**
 * The pieces the injection cases are made of: where things go on the host, the context the test
 * provides (a local directory, HTTP stand-ins), and observers that read the host with our own
 * commands (files, passwd fields, sudo's and apt's own parsers, stand-in programs' records).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StandIn } from "../support/stand-ins/server.js";
import type { GithubStandIn } from "../support/stand-ins/github.js";
import type { GitlabStandIn } from "../support/stand-ins/gitlab.js";
import type { CloudflareStandIn } from "../support/stand-ins/cloudflare.js";
import { hasSequence, type FakeRun } from "./injection-fakes.js";
import { noDotSegments, type Attempt, type Observer } from "./injection-harness.js";

/** Root of everything the tests create on the host. */
export const ROOT = "/srv/inj";

/** What the cases need from the test: a local directory and the HTTP stand-ins. */
export interface CaseContext {
  /** A directory on the controller for template and source files. */
  readonly localDir: string;
  /** A recording HTTP server answering 200 `{"ok":true}` to anything (webhooks, Telegram). */
  readonly recorder: StandIn;
  readonly github: GithubStandIn;
  readonly gitlab: GitlabStandIn;
  readonly cloudflare: CloudflareStandIn;
  /** Port of the HTTP server on the host (waitForHttp). */
  readonly hostHttpPort: number;
}

/** Token the GitHub stand-in accepts. */
export const GITHUB_TOKEN = "gh-inject-token";
/** Token the GitLab stand-in accepts. */
export const GITLAB_TOKEN = "gl-inject-token";
/** Token the Cloudflare stand-in accepts. */
export const CLOUDFLARE_TOKEN = "cf-inject-token";
/** The zone the Cloudflare stand-in knows. */
export const CLOUDFLARE_ZONE = "lab.test";

export const SHELL_BY_DESIGN = "shell text by design (the playbook's own command, run as written; like Ansible's)";
export const NOT_A_STRING =
  "not a string: a Command built with sh`` (its values are quoted by the template, fuzzed here through every other slot and in injection-quote.test.ts)";
export const FUNCTION = "a function, never sent anywhere";

/** Quote for our own shell snippets (built from indexes and constants only, but quoted anyway). */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Write a controller file (parents created); returns its path. A name the file system refuses is returned as is. */
export function localFile(ctx: CaseContext, relative: string, content: string): string {
  const full = path.join(ctx.localDir, relative);
  try {
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  } catch {
    // ENAMETOOLONG and the like: the task then fails to read it, which is a clean refusal.
  }
  return full;
}

/** A file observer: the slot writes one file per attempt under `root`. */
export function fileTree(root: string, relative: (a: Attempt) => string, content: (a: Attempt) => string | Buffer): Observer {
  return { kind: "tree", root, entry: (a) => ({ path: relative(a), type: "f", content: content(a) }) };
}

/**
 * The value as a one-line config field holds it; a value with a line break cannot be held
 * literally, so the expectation becomes one no file can meet (the task should have refused it).
 */
export function line(value: string): string {
  return /[\r\n]/.test(value) ? `\0<a line break cannot stay literal in a one-line field: the task must refuse it>\0` : value;
}

/** Our own snippet's output must equal `expect`. */
export function script(snippet: (a: Attempt) => string, expect: (a: Attempt) => string | Buffer): Observer {
  return { kind: "script", snippet, expect };
}

/** A stand-in program's run carries these consecutive argv elements. */
export function argv(tool: string, needle: (a: Attempt) => readonly string[]): Observer {
  return {
    kind: "fake",
    tool,
    check: (runs, a) =>
      runs.some((r) => hasSequence(r.argv, needle(a))) ? undefined : `no ${tool} run has argv ${JSON.stringify(needle(a))}${sample(runs)}`,
  };
}

/** A stand-in program's run (found by `which`) has this environment entry. */
export function envEntry(tool: string, which: (a: Attempt) => readonly string[], entry: (a: Attempt) => string): Observer {
  return {
    kind: "fake",
    tool,
    check: (runs, a) => {
      const run = runs.find((r) => hasSequence(r.argv, which(a)));
      if (!run) return `no ${tool} run has argv ${JSON.stringify(which(a))}${sample(runs)}`;
      return run.env.includes(entry(a))
        ? undefined
        : `environment lacks ${JSON.stringify(entry(a))}: ${JSON.stringify(run.env.filter((e) => /^(INJ|CI_|REG|GIT_)/.test(e)))}`;
    },
  };
}

export function sample(runs: readonly FakeRun[]): string {
  return runs.length ? `; e.g. ${JSON.stringify(runs[0]?.argv).slice(0, 300)}` : "; the stand-in never ran";
}

/** Python on the host (not a shell) creates the NUL-separated files on stdin, parents included. */
export const CREATE_FILES = `python3 -c ${q('import os,sys\nfor p in sys.stdin.buffer.read().split(b"\\0"):\n  if p:\n    try:\n      os.makedirs(os.path.dirname(p), exist_ok=True); open(p, "ab").close()\n    except OSError:\n      pass')}`;
export const CREATE_DIRS = `python3 -c ${q('import os,sys\nfor p in sys.stdin.buffer.read().split(b"\\0"):\n  if p:\n    try:\n      os.makedirs(p, exist_ok=True)\n    except OSError:\n      pass')}`;

export function nulList(paths: readonly string[]): Buffer {
  return Buffer.from(paths.map((p) => `${p}\0`).join(""), "utf8");
}

/** Each path component at most 60 characters (so creating it never fails for length). */
export function shortComponents(value: string): string {
  return noDotSegments(value)
    .split("/")
    .map((s) => s.slice(0, 60))
    .join("/");
}

/** A URL path tail: no whitespace (URLs are refused with it), no dot segments. */
export function urlTail(value: string): string {
  return noDotSegments(value);
}

/** Fields of a passwd/shadow entry, as our own snippet prints them. */
export function passwdField(db: "passwd" | "shadow", user: string, field: number): string {
  return `getent ${db} ${q(user)} | cut -d: -f${field}`;
}

/** The first line of a key's comment as authorized_keys keeps it (bosun trims it, sshd ignores what follows). */
export function keyComment(value: string): string {
  return (value.split("\n")[0] ?? "").trim();
}

export function blob(tag: string, i: number): string {
  return `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(`bosun-inject-${tag}-${i}`).toString("base64").replace(/=+$/, "")}`;
}

/** A sudoers rule as sudo's own parser (cvtsudoers) reads it: the command of the first spec. */
export function sudoCommand(prefix: string, a: Attempt): string {
  return `cvtsudoers -f json /etc/sudoers.d/${prefix}${a.index} | python3 -c ${q('import json,sys\nd=json.load(sys.stdin)\nsys.stdout.write(d["User_Specs"][0]["Cmnd_Specs"][0]["Commands"][0]["command"])')}`;
}

/** sudo splits a command into words at blanks (a tab and a space are the same to it); the words must be the literal ones. */
export const sudoObserver = (prefix: string): Observer => ({
  kind: "script",
  snippet: (a) => sudoCommand(prefix, a),
  judge: (out, a) => {
    const words = (s: string) =>
      s
        .split(/[ \t]+/)
        .filter(Boolean)
        .join(" ");
    const got = out.toString("utf8");
    return words(got) === words(`/usr/bin/${a.value}`) ? undefined : `sudo reads the command as ${JSON.stringify(got.slice(0, 200))}`;
  },
});

/** Debian cron's reading of an env line's value: trailing blanks dropped, one pair of matching outer quotes removed. */
export function cronEnvValue(a: Attempt): string {
  return `sed -n 's/^INJ=//p' /etc/cron.d/injce${a.index} | python3 -c ${q('import sys\nv=sys.stdin.buffer.read()[:-1].rstrip(b" \\t")\nif len(v) >= 2 and v[:1] in (b"\\x27", b"\\x22") and v[-1:] == v[:1]:\n  v = v[1:-1]\nsys.stdout.buffer.write(v)')}`;
}

export const BLOCK_BEGIN = "# BEGIN BOSUN MANAGED BLOCK";
export const BLOCK_END = "# END BOSUN MANAGED BLOCK";

export function recorded(
  ctx: CaseContext,
  prefix: string,
): { path: string; json?: unknown; headers: Readonly<Record<string, string>> } | undefined {
  return ctx.recorder.requests.find((r) => r.path.startsWith(prefix));
}

export function jsonField(req: { json?: unknown } | undefined, field: string, want: unknown): string | undefined {
  if (!req) return "no request reached the stand-in";
  const got = (req.json as Record<string, unknown> | undefined)?.[field];
  return got === want ? undefined : `JSON field ${JSON.stringify(field)} arrived as ${JSON.stringify(got)?.slice(0, 200)}`;
}

/** Parse a deb822 stanza the way apt does (fields, continuation lines); a line that is neither is a problem. */
export function deb822(text: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const l of text.replace(/\n$/, "").split("\n")) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(l);
    if (m) fields.set((last = m[1] as string), m[2] as string);
    else if (/^[ \t]/.test(l) && last) fields.set(last, `${fields.get(last)}\n${l}`);
    else return `not a deb822 line: ${JSON.stringify(l)}`;
  }
  return fields;
}
