/**
 * How each task's string slots are fuzzed: the params that carry the hostile value, whether
 * applying is safe on a lab host, and how the literal result is verified with our own commands.
 * A slot a task exports but this table neither fuzzes nor excuses (with a reason) fails the test.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StandIn } from "../support/stand-ins/server.js";
import type { GithubStandIn } from "../support/stand-ins/github.js";
import type { CloudflareStandIn } from "../support/stand-ins/cloudflare.js";
import { hasSequence, type FakeRun } from "./injection-fakes.js";
import { component, noDotSegments, type Attempt, type Observer, type SlotFuzz, type TaskCase } from "./injection-harness.js";

/** Root of everything the tests create on the host. */
export const ROOT = "/srv/inj";

/** What the cases need from the test: a local directory and the HTTP stand-ins. */
export interface CaseContext {
  /** A directory on the controller for template and source files. */
  readonly localDir: string;
  /** A recording HTTP server answering 200 `{"ok":true}` to anything (webhooks, Telegram). */
  readonly recorder: StandIn;
  readonly github: GithubStandIn;
  readonly cloudflare: CloudflareStandIn;
  /** Port of the HTTP server on the host (waitForHttp). */
  readonly hostHttpPort: number;
}

/** Token the GitHub stand-in accepts. */
export const GITHUB_TOKEN = "gh-inject-token";
/** Token the Cloudflare stand-in accepts. */
export const CLOUDFLARE_TOKEN = "cf-inject-token";
/** The zone the Cloudflare stand-in knows. */
export const CLOUDFLARE_ZONE = "lab.test";

const SHELL_BY_DESIGN = "shell text by design (the playbook's own command, run as written; like Ansible's)";
const NOT_A_STRING =
  "not a string: a Command built with sh`` (its values are quoted by the template, fuzzed here through every other slot and in injection-quote.test.ts)";
const FUNCTION = "a function, never sent anywhere";

/** Quote for our own shell snippets (built from indexes and constants only, but quoted anyway). */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Write a controller file (parents created); returns its path. A name the file system refuses is returned as is. */
function localFile(ctx: CaseContext, relative: string, content: string): string {
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
function fileTree(root: string, relative: (a: Attempt) => string, content: (a: Attempt) => string | Buffer): Observer {
  return { kind: "tree", root, entry: (a) => ({ path: relative(a), type: "f", content: content(a) }) };
}

/**
 * The value as a one-line config field holds it; a value with a line break cannot be held
 * literally, so the expectation becomes one no file can meet (the task should have refused it).
 */
function line(value: string): string {
  return /[\r\n]/.test(value) ? `\0<a line break cannot stay literal in a one-line field: the task must refuse it>\0` : value;
}

/** Our own snippet's output must equal `expect`. */
function script(snippet: (a: Attempt) => string, expect: (a: Attempt) => string | Buffer): Observer {
  return { kind: "script", snippet, expect };
}

/** A stand-in program's run carries these consecutive argv elements. */
function argv(tool: string, needle: (a: Attempt) => readonly string[]): Observer {
  return {
    kind: "fake",
    tool,
    check: (runs, a) =>
      runs.some((r) => hasSequence(r.argv, needle(a))) ? undefined : `no ${tool} run has argv ${JSON.stringify(needle(a))}${sample(runs)}`,
  };
}

/** A stand-in program's run (found by `which`) has this environment entry. */
function envEntry(tool: string, which: (a: Attempt) => readonly string[], entry: (a: Attempt) => string): Observer {
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

function sample(runs: readonly FakeRun[]): string {
  return runs.length ? `; e.g. ${JSON.stringify(runs[0]?.argv).slice(0, 300)}` : "; the stand-in never ran";
}

/** Python on the host (not a shell) creates the NUL-separated files on stdin, parents included. */
const CREATE_FILES = `python3 -c ${q('import os,sys\nfor p in sys.stdin.buffer.read().split(b"\\0"):\n  if p:\n    try:\n      os.makedirs(os.path.dirname(p), exist_ok=True); open(p, "ab").close()\n    except OSError:\n      pass')}`;
const CREATE_DIRS = `python3 -c ${q('import os,sys\nfor p in sys.stdin.buffer.read().split(b"\\0"):\n  if p:\n    try:\n      os.makedirs(p, exist_ok=True)\n    except OSError:\n      pass')}`;

function nulList(paths: readonly string[]): Buffer {
  return Buffer.from(paths.map((p) => `${p}\0`).join(""), "utf8");
}

/** Each path component at most 60 characters (so creating it never fails for length). */
function shortComponents(value: string): string {
  return noDotSegments(value)
    .split("/")
    .map((s) => s.slice(0, 60))
    .join("/");
}

/** A URL path tail: no whitespace (URLs are refused with it), no dot segments. */
function urlTail(value: string): string {
  return noDotSegments(value);
}

/** Fields of a passwd/shadow entry, as our own snippet prints them. */
function passwdField(db: "passwd" | "shadow", user: string, field: number): string {
  return `getent ${db} ${q(user)} | cut -d: -f${field}`;
}

/** The first line of a key's comment as authorized_keys keeps it (bosun trims it, sshd ignores what follows). */
function keyComment(value: string): string {
  return (value.split("\n")[0] ?? "").trim();
}

function blob(tag: string, i: number): string {
  return `AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(`bosun-inject-${tag}-${i}`).toString("base64").replace(/=+$/, "")}`;
}

/** A sudoers rule as sudo's own parser (cvtsudoers) reads it: the command of the first spec. */
function sudoCommand(prefix: string, a: Attempt): string {
  return `cvtsudoers -f json /etc/sudoers.d/${prefix}${a.index} | python3 -c ${q('import json,sys\nd=json.load(sys.stdin)\nsys.stdout.write(d["User_Specs"][0]["Cmnd_Specs"][0]["Commands"][0]["command"])')}`;
}

/** sudo splits a command into words at blanks (a tab and a space are the same to it); the words must be the literal ones. */
const sudoObserver = (prefix: string): Observer => ({
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
function cronEnvValue(a: Attempt): string {
  return `sed -n 's/^INJ=//p' /etc/cron.d/injce${a.index} | python3 -c ${q('import sys\nv=sys.stdin.buffer.read()[:-1].rstrip(b" \\t")\nif len(v) >= 2 and v[:1] in (b"\\x27", b"\\x22") and v[-1:] == v[:1]:\n  v = v[1:-1]\nsys.stdout.buffer.write(v)')}`;
}

const BLOCK_BEGIN = "# BEGIN BOSUN MANAGED BLOCK";
const BLOCK_END = "# END BOSUN MANAGED BLOCK";

function recorded(
  ctx: CaseContext,
  prefix: string,
): { path: string; json?: unknown; headers: Readonly<Record<string, string>> } | undefined {
  return ctx.recorder.requests.find((r) => r.path.startsWith(prefix));
}

/** The injection cases, by task id. */
export function injectionCases(ctx: CaseContext): Readonly<Record<string, TaskCase>> {
  const template = localFile(ctx, "template.hbs", "[{{v}}]\n{{{v}}}\n");
  const unitTemplate = localFile(ctx, "unit.hbs", "[Unit]\nDescription={{d}}\n");
  const siteTemplate = localFile(ctx, "site.hbs", "# {{x}}\n");
  const gitBase = { repo: "https://git.lab.test/inj.git" };
  const certBase = { domains: ["inj.lab.test"], authenticator: "webroot", webroot: `${ROOT}/www`, registerUnsafelyWithoutEmail: true };
  const runnerBase = { url: "https://gitlab.lab.test", token: "glrt-inject", image: "alpine:3" };
  const cfBase = { zone: CLOUDFLARE_ZONE, type: "A", content: "192.0.2.10", apiToken: CLOUDFLARE_TOKEN };
  const composeDir = `${ROOT}/compose`;
  const gitlabKeyUrl = "http://127.0.0.1:9/gpgkey"; // a closed loopback port: never packages.gitlab.com
  const ufwSlots = (): TaskCase => ({
    fuzz: {
      comment: {
        params: (v) => ({ port: 2222, proto: "tcp", comment: v }),
        apply: true,
        observe: argv("ufw", (a) => ["comment", a.value]),
      },
      port: { params: (v) => ({ port: v }), apply: true },
      from: { params: (v) => ({ port: 2222, from: v }), apply: true },
      to: { params: (v) => ({ port: 2222, to: v }), apply: true },
      proto: { params: (v) => ({ port: 2222, proto: v }) },
      direction: { params: (v) => ({ port: 2222, direction: v }) },
      state: { params: (v) => ({ port: 2222, state: v }) },
    },
  });
  const composeSlots = (task: string, extra: { observeChecks?: boolean; apply?: boolean } = {}): TaskCase => {
    const on = extra.apply ? { apply: true } : { observeChecks: !!extra.observeChecks };
    const base = task === "run" ? { service: "app" } : {};
    return {
      fuzz: {
        projectDir: {
          params: (v, i) => ({ ...base, projectDir: `${ROOT}/cp-${task}/${i}-${v}` }),
          shape: (v) => component(v).slice(0, 100),
          prepare: (as) => ({ script: CREATE_DIRS, stdin: nulList(as.map((a) => `${ROOT}/cp-${task}/${a.index}-${a.value}`)) }),
          ...on,
          observe: {
            kind: "fake",
            tool: "docker",
            check: (runs, a) =>
              runs.some((r) => r.cwd === `${ROOT}/cp-${task}/${a.index}-${a.value}`)
                ? undefined
                : `no docker run in ${JSON.stringify(`${a.index}-${a.value}`)}${sample(runs)}`,
          },
        },
        "files[]": {
          params: (v) => ({ ...base, projectDir: composeDir, files: [v] }),
          ...on,
          observe: argv("docker", (a) => ["-f", a.value]),
        },
        "envFiles[]": {
          params: (v) => ({ ...base, projectDir: composeDir, envFiles: [v] }),
          ...on,
          observe: argv("docker", (a) => ["--env-file", a.value]),
        },
        projectName: { params: (v) => ({ ...base, projectDir: composeDir, projectName: v }), ...on },
      },
    };
  };

  return slowDown({
    "files.ensureDir": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/dir/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: { kind: "tree", root: `${ROOT}/dir`, entry: (a) => ({ path: `${a.index}/${a.value}`, type: "d" }) },
        },
        mode: { params: (v, i) => ({ path: `${ROOT}/dir-mode/${i}`, mode: v }), apply: true },
        owner: { params: (v, i) => ({ path: `${ROOT}/dir-owner/${i}`, owner: v }), apply: true },
        group: { params: (v, i) => ({ path: `${ROOT}/dir-group/${i}`, group: v }), apply: true },
      },
    },
    "files.ensureFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/file/${i}/${v}`, content: `c${i}\n`, createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/file`,
            (a) => `${a.index}/${a.value}`,
            (a) => `c${a.index}\n`,
          ),
        },
        content: {
          params: (v, i) => ({ path: `${ROOT}/content/${i}`, content: v, createParents: true }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/content`,
            (a) => `${a.index}`,
            (a) => a.value,
          ),
        },
        src: {
          params: (v, i) => ({ path: `${ROOT}/src/${i}`, src: localFile(ctx, `src/${i}/${v}`, `s${i}\n`), createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/src`,
            (a) => `${a.index}`,
            (a) => `s${a.index}\n`,
          ),
        },
        owner: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", owner: v }), apply: true },
        group: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", group: v }), apply: true },
        mode: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", mode: v }), apply: true },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.templateFile": {
      fuzz: {
        src: {
          params: (v, i) => ({
            src: localFile(ctx, `tsrc/${i}/${v}`, "[{{v}}]\n"),
            dest: `${ROOT}/tsrc/${i}`,
            vars: { v: "ok" },
            createParents: true,
          }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/tsrc`,
            (a) => `${a.index}`,
            () => "[ok]\n",
          ),
        },
        dest: {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tdest/${i}/${v}`, vars: { v: "ok" }, createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/tdest`,
            (a) => `${a.index}/${a.value}`,
            () => "[ok]\nok\n",
          ),
        },
        "vars.*": {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tvars/${i}`, vars: { v }, createParents: true }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/tvars`,
            (a) => `${a.index}`,
            (a) => `[${a.value}]\n${a.value}\n`,
          ),
        },
        "vars{}": {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tkeys/${i}`, vars: { v: "ok", [v]: "x" }, createParents: true }),
          apply: true,
          observe: fileTree(
            `${ROOT}/tkeys`,
            (a) => `${a.index}`,
            () => "[ok]\nok\n",
          ),
        },
        owner: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, owner: v }) },
        group: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, group: v }) },
        mode: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.lineInFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/lpath/${i}-${v}`, line: "x", create: true }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/lpath` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/lpath`,
            (a) => `${a.index}-${a.value}`,
            () => "x\n",
          ),
        },
        line: {
          params: (v, i) => ({ path: `${ROOT}/lline/${i}`, line: v, create: true }),
          nul: true,
          prepare: () => ({ script: `mkdir -p ${ROOT}/lline` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/lline`,
            (a) => `${a.index}`,
            (a) => `${line(a.value)}\n`,
          ),
        },
        ...Object.fromEntries(
          (["regexp", "insertAfter", "insertBefore"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ path: `${ROOT}/l${k}/${i}`, line: "x", [k]: v, create: true }),
              prepare: () => ({ script: `mkdir -p ${ROOT}/l${k}` }),
              apply: true,
              observe: fileTree(
                `${ROOT}/l${k}`,
                (a) => `${a.index}`,
                () => "x\n",
              ),
            } satisfies SlotFuzz,
          ]),
        ),
        state: { params: (v, i) => ({ path: `${ROOT}/lstate/${i}`, line: "x", state: v }) },
        owner: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", owner: v }) },
        group: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", group: v }) },
        mode: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.blockInFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/bpath/${i}-${v}`, block: "x", create: true }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/bpath` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bpath`,
            (a) => `${a.index}-${a.value}`,
            () => `${BLOCK_BEGIN}\nx\n${BLOCK_END}\n`,
          ),
        },
        block: {
          params: (v, i) => ({ path: `${ROOT}/bblock/${i}`, block: v, create: true }),
          nul: true,
          prepare: () => ({ script: `mkdir -p ${ROOT}/bblock` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bblock`,
            (a) => `${a.index}`,
            (a) => `${BLOCK_BEGIN}\n${a.value.endsWith("\n") ? a.value.slice(0, -1) : a.value}\n${BLOCK_END}\n`,
          ),
        },
        marker: {
          params: (v, i) => ({ path: `${ROOT}/bmarker/${i}`, block: "x", marker: `${v} {mark}`, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmarker` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmarker`,
            (a) => `${a.index}`,
            (a) => `${line(a.value)} BEGIN\nx\n${line(a.value)} END\n`,
          ),
        },
        markerBegin: {
          params: (v, i) => ({ path: `${ROOT}/bmbegin/${i}`, block: "x", markerBegin: v, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmbegin` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmbegin`,
            (a) => `${a.index}`,
            (a) => `# ${line(a.value)} BOSUN MANAGED BLOCK\nx\n${BLOCK_END}\n`,
          ),
        },
        markerEnd: {
          params: (v, i) => ({ path: `${ROOT}/bmend/${i}`, block: "x", markerEnd: v, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmend` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmend`,
            (a) => `${a.index}`,
            (a) => `${BLOCK_BEGIN}\nx\n# ${line(a.value)} BOSUN MANAGED BLOCK\n`,
          ),
        },
        ...Object.fromEntries(
          (["insertAfter", "insertBefore"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ path: `${ROOT}/b${k}/${i}`, block: "x", [k]: v, create: true }),
              prepare: () => ({ script: `mkdir -p ${ROOT}/b${k}` }),
              apply: true,
              observe: fileTree(
                `${ROOT}/b${k}`,
                (a) => `${a.index}`,
                () => `${BLOCK_BEGIN}\nx\n${BLOCK_END}\n`,
              ),
            } satisfies SlotFuzz,
          ]),
        ),
        state: { params: (v, i) => ({ path: `${ROOT}/bstate/${i}`, block: "x", state: v }) },
        owner: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", owner: v }) },
        group: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", group: v }) },
        mode: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.ensureAbsent": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/absent/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({
            script: CREATE_FILES,
            stdin: nulList(as.flatMap((a) => [`${ROOT}/absent/${a.index}/${a.value}`, `${ROOT}/absent/${a.index}/keep`])),
          }),
          apply: true,
          observe: {
            kind: "tree",
            root: `${ROOT}/absent`,
            entry: (a) => [
              { path: `${a.index}/${a.value}`, type: "absent" },
              { path: `${a.index}/keep`, type: "f", content: "" },
            ],
          },
        },
      },
    },
    "files.symlink": {
      fuzz: {
        src: {
          params: (v, i) => ({ src: v, dest: `${ROOT}/link/${i}` }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/link` }),
          apply: true,
          observe: { kind: "tree", root: `${ROOT}/link`, entry: (a) => ({ path: `${a.index}`, type: "l", target: a.value }) },
        },
        dest: {
          params: (v, i) => ({ src: "/srv/inj/target", dest: `${ROOT}/linkd/${i}-${v}` }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/linkd` }),
          apply: true,
          observe: {
            kind: "tree",
            root: `${ROOT}/linkd`,
            entry: (a) => ({ path: `${a.index}-${a.value}`, type: "l", target: "/srv/inj/target" }),
          },
        },
        owner: { params: (v, i) => ({ src: "/x", dest: `${ROOT}/link-attr/${i}`, owner: v }) },
        group: { params: (v, i) => ({ src: "/x", dest: `${ROOT}/link-attr/${i}`, group: v }) },
      },
    },
    "command.run": {
      fuzz: {
        "cmd?": {
          params: (v) => ({ cmd: ["printf", "%s", v] }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === a.value
                ? undefined
                : `stdout ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        cwd: {
          params: (v, i) => ({ cmd: ["pwd"], cwd: `${ROOT}/cwd/${i}-${v}` }),
          shape: (v) => component(v).slice(0, 100),
          prepare: (as) => ({ script: CREATE_DIRS, stdin: nulList(as.map((a) => `${ROOT}/cwd/${a.index}-${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) => {
              const out = (r.output as { stdout?: string }).stdout;
              return out === `${ROOT}/cwd/${a.index}-${a.value}\n` ? undefined : `pwd printed ${JSON.stringify(out)}`;
            },
          },
        },
        stdin: {
          params: (v) => ({ cmd: ["cat"], stdin: v }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === a.value
                ? undefined
                : `cat printed ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        "env.*": {
          params: (v) => ({ cmd: ["printenv", "INJ"], env: { INJ: v } }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === `${a.value}\n`
                ? undefined
                : `printenv printed ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        "env{}": { params: (v) => ({ cmd: ["true"], env: { [v]: "x" } }), apply: true },
        creates: {
          params: (v, i) => ({ cmd: ["echo", "ran"], creates: `${ROOT}/creates/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({ script: CREATE_FILES, stdin: nulList(as.map((a) => `${ROOT}/creates/${a.index}/${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r) =>
              r.status === "ok" && /exists/.test(r.message ?? "") ? undefined : `the guard missed the file: ${r.status} ${r.message}`,
          },
        },
        removes: {
          params: (v, i) => ({ cmd: ["echo", "ran"], removes: `${ROOT}/removes/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({ script: CREATE_FILES, stdin: nulList(as.map((a) => `${ROOT}/removes/${a.index}/${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r) =>
              r.status === "changed" && (r.output as { stdout?: string }).stdout === "ran\n"
                ? undefined
                : `the guard missed the file: ${r.status} ${r.message}`,
          },
        },
      },
      excused: { "unless?": NOT_A_STRING, "changedWhen?": FUNCTION, "failedWhen?": FUNCTION },
    },
    "access.ensureUser": {
      fuzz: {
        name: { params: (v) => ({ name: v, createHome: false }), apply: true },
        group: { params: (v, i) => ({ name: `ig${i}`, group: v, createHome: false }), apply: true },
        "groups[]": { params: (v, i) => ({ name: `ix${i}`, groups: [v], createHome: false }), apply: true },
        comment: {
          params: (v, i) => ({ name: `ic${i}`, comment: v, createHome: false }),
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `ic${a.index}`, 5),
            (a) => `${a.value}\n`,
          ),
        },
        home: {
          params: (v, i) => ({ name: `ih${i}`, home: `${ROOT}/home/${i}/${v}`, createHome: false }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `ih${a.index}`, 6),
            (a) => `${ROOT}/home/${a.index}/${a.value}\n`,
          ),
        },
        shell: {
          // The users exist already: this goes through usermod.
          params: (v, i) => ({ name: `is${i}`, shell: `/bin/${v}` }),
          prepare: (as) => ({ script: as.map((a) => `id -u is${a.index} >/dev/null 2>&1 || useradd -M is${a.index}`).join("; ") }),
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `is${a.index}`, 7),
            (a) => `/bin/${a.value}\n`,
          ),
        },
        password: {
          params: (v, i) => ({ name: `ip${i}`, password: `!${v}`, createHome: false }),
          prepare: (as) => ({ script: as.map((a) => `id -u ip${a.index} >/dev/null 2>&1 || useradd -M ip${a.index}`).join("; ") }),
          apply: true,
          observe: script(
            (a) => passwdField("shadow", `ip${a.index}`, 2),
            (a) => `!${a.value}\n`,
          ),
        },
        updatePassword: { params: (v, i) => ({ name: `iu${i}`, updatePassword: v }) },
        state: { params: (v, i) => ({ name: `iu${i}`, state: v }) },
      },
    },
    "access.ensureGroup": {
      fuzz: { name: { params: (v) => ({ name: v }), apply: true }, state: { params: (v) => ({ name: "injg", state: v }) } },
    },
    "access.authorizedKey": {
      fuzz: {
        key: {
          params: (v, i) => ({ user: "injk", key: `ssh-ed25519 ${blob("k", i)} ${v}` }),
          prepare: () => ({ script: "id -u injk >/dev/null 2>&1 || useradd -m injk" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("k", a.index))} /home/injk/.ssh/authorized_keys`,
            (a) => `${["ssh-ed25519", blob("k", a.index), keyComment(a.value)].filter(Boolean).join(" ")}\n`,
          ),
        },
        "key[]": {
          params: (v, i) => ({ user: "injl", key: [`ssh-ed25519 ${blob("l", i)} ${v}`] }),
          prepare: () => ({ script: "id -u injl >/dev/null 2>&1 || useradd -m injl" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("l", a.index))} /home/injl/.ssh/authorized_keys`,
            (a) => `${["ssh-ed25519", blob("l", a.index), keyComment(a.value)].filter(Boolean).join(" ")}\n`,
          ),
        },
        options: {
          params: (v, i) => ({ user: "injo", key: `ssh-ed25519 ${blob("o", i)} c${i}`, options: v }),
          prepare: () => ({ script: "id -u injo >/dev/null 2>&1 || useradd -m injo" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("o", a.index))} /home/injo/.ssh/authorized_keys`,
            (a) => `${line(a.value)} ssh-ed25519 ${blob("o", a.index)} c${a.index}\n`,
          ),
        },
        user: { params: (v) => ({ user: v, key: `ssh-ed25519 ${blob("u", 0)}` }) },
        state: { params: (v) => ({ user: "injk", key: `ssh-ed25519 ${blob("s", 0)}`, state: v }) },
      },
    },
    "access.sudoers": {
      fuzz: {
        name: { params: (v) => ({ name: v, user: "injs" }), apply: true },
        user: { params: (v, i) => ({ name: `injx${i}`, user: v }), apply: true },
        group: { params: (v, i) => ({ name: `injx${i}`, group: v }), apply: true },
        commands: {
          params: (v, i) => ({ name: `injc${i}`, user: "injs", commands: `/usr/bin/${v}` }),
          prepare: () => ({ script: "id -u injs >/dev/null 2>&1 || useradd -M injs" }),
          apply: true,
          observe: sudoObserver("injc"),
        },
        "commands[]": {
          params: (v, i) => ({ name: `injl${i}`, user: "injs", commands: [`/usr/bin/${v}`] }),
          prepare: () => ({ script: "id -u injs >/dev/null 2>&1 || useradd -M injs" }),
          apply: true,
          observe: sudoObserver("injl"),
        },
        runAs: { params: (v, i) => ({ name: `injr${i}`, user: "injs", runAs: v }), apply: true },
        content: {
          params: (v, i) => ({ name: `injt${i}`, content: v }),
          apply: true,
          observe: script(
            (a) => `cat /etc/sudoers.d/injt${a.index}`,
            (a) => (a.value.endsWith("\n") ? a.value : `${a.value}\n`),
          ),
        },
        state: { params: (v) => ({ name: "injst", state: v }) },
      },
    },
    "access.sshdConfig": {
      fuzz: {
        name: { params: (v) => ({ name: v, settings: { LogLevel: "INFO" }, reload: false }) },
        "settings{}": { params: (v, i) => ({ name: `90-inj${i}`, settings: { [v]: "x" }, reload: false }) },
        // Each check tries the whole sshd configuration with the candidate (sshd -t): fewer values.
        "settings.*": { params: (v, i) => ({ name: `90-inj${i}`, settings: { Banner: v }, reload: false }), runs: 8, classics: 4 },
        state: { params: (v) => ({ name: "90-inj", state: v, reload: false }) },
        service: { params: (v) => ({ name: "90-inj", settings: { LogLevel: "INFO" }, service: v, reload: false }) },
      },
    },
    "access.reloadSshd": { fuzz: { service: { params: (v) => ({ service: v }) } } },
    "ci.gitlabRunner": {
      fuzz: {
        version: { params: (v) => ({ version: v, keyUrl: gitlabKeyUrl }) },
        keyUrl: { params: (v) => ({ keyUrl: `http://127.0.0.1:9/${urlTail(v)}` }) },
        repoUrl: { params: (v) => ({ repoUrl: `http://127.0.0.1:9/${urlTail(v)}`, keyUrl: gitlabKeyUrl }) },
        suite: { params: (v) => ({ suite: v, keyUrl: gitlabKeyUrl }) },
        "key?": { params: (v) => ({ key: v }) },
      },
    },
    "ci.gitlabRunnerRegister": {
      fuzz: {
        url: {
          params: (v, i) => ({ ...runnerBase, name: `injru${i}`, url: `https://gitlab.lab.test/${v}` }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--url", `https://gitlab.lab.test/${a.value}`]),
        },
        token: {
          params: (v, i) => ({ ...runnerBase, tokenType: "registration", name: `injrt${i}`, token: v }),
          apply: true,
          observe: envEntry(
            "gitlab-runner",
            (a) => ["--name", `injrt${a.index}`],
            (a) => `REGISTRATION_TOKEN=${a.value}`,
          ),
        },
        image: {
          params: (v, i) => ({ ...runnerBase, name: `injri${i}`, image: v }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--docker-image", a.value]),
        },
        name: { params: (v) => ({ ...runnerBase, name: v }), apply: true, observe: argv("gitlab-runner", (a) => ["--name", a.value]) },
        "volumes[]": {
          params: (v, i) => ({ ...runnerBase, name: `injrv${i}`, volumes: [v] }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--docker-volumes", a.value]),
        },
        "tagList[]": {
          params: (v, i) => ({ ...runnerBase, token: "inject-registration", name: `injrg${i}`, tagList: [v] }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--tag-list", a.value]),
        },
        configFile: {
          params: (v, i) => ({ ...runnerBase, name: `injrc${i}`, configFile: `${ROOT}/runner/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--config", `${ROOT}/runner/${a.index}/${a.value}`]),
        },
        tokenType: { params: (v) => ({ ...runnerBase, tokenType: v }) },
      },
    },
    "dns.cloudflareRecord": {
      fuzz: {
        zone: { params: (v, i) => ({ ...cfBase, name: `inj${i}`, zone: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        name: { params: (v) => ({ ...cfBase, name: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        content: {
          params: (v, i) => ({ ...cfBase, name: `injc${i}`, type: "CNAME", content: v, apiBase: ctx.cloudflare.apiBase }),
          apply: true,
        },
        type: { params: (v, i) => ({ ...cfBase, name: `injt${i}`, type: v, apiBase: ctx.cloudflare.apiBase }) },
        apiToken: { params: (v, i) => ({ ...cfBase, name: `inja${i}`, apiToken: v, apiBase: ctx.cloudflare.apiBase }), apply: true },
        apiBase: { params: (v, i) => ({ ...cfBase, name: `injb${i}`, apiBase: `${ctx.cloudflare.apiBase}/${urlTail(v)}` }), apply: true },
      },
    },
    "github.secret": {
      fuzz: {
        repo: { params: (v) => ({ repo: v, name: "INJ", value: "x", token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }), apply: true },
        name: { params: (v) => ({ repo: "inj/repo", name: v, value: "x", token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }), apply: true },
        value: {
          params: (v, i) => ({ repo: "inj/repo", name: `INJ_${i}`, value: v, token: GITHUB_TOKEN, apiBase: ctx.github.apiBase }),
          nul: true,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => {
              const stored = ctx.github.secrets.get(`inj/repo/INJ_${a.index}`);
              if (!stored) return "the stand-in holds no such secret";
              const opened = ctx.github.open(stored.encryptedValue);
              return opened === a.value ? undefined : `the sealed value opens to ${JSON.stringify(opened.slice(0, 200))}`;
            },
          },
        },
        token: {
          params: (v, i) => ({ repo: "inj/repo", name: `INJ_T${i}`, value: "x", token: v, apiBase: ctx.github.apiBase }),
          apply: true,
        },
        apiBase: {
          params: (v, i) => ({
            repo: "inj/repo",
            name: `INJ_B${i}`,
            value: "x",
            token: GITHUB_TOKEN,
            apiBase: `${ctx.github.apiBase}/${urlTail(v)}`,
          }),
          apply: true,
        },
      },
    },
    "notify.send": {
      fuzz: {
        text: {
          params: (v, i) => ({ text: v, webhook: { url: `${ctx.recorder.url}/text/${i}` } }),
          nul: true,
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/text/${a.index}`), "text", a.value) },
        },
        "webhook.url": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/url/${i}/${v}` } }),
          shape: urlTail,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => (recorded(ctx, `/url/${a.index}/`) ? undefined : "no request reached the stand-in at that path"),
          },
        },
        "webhook.headers{}": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/hname/${i}`, headers: { [v]: "x" } } }),
          apply: true,
          observe: {
            kind: "custom",
            check: (a) =>
              recorded(ctx, `/hname/${a.index}`)?.headers[a.value.toLowerCase()] === "x" ? undefined : "header not received as given",
          },
        },
        "webhook.headers.*": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/hvalue/${i}`, headers: { "X-Inj": v } } }),
          apply: true,
          observe: {
            kind: "custom",
            // HTTP drops optional whitespace around a field value; anything else must arrive as given.
            check: (a) => {
              // The stand-in decodes header bytes as latin1: the bytes must be the value's UTF-8.
              const got = recorded(ctx, `/hvalue/${a.index}`)?.headers["x-inj"];
              const want = Buffer.from(a.value.replace(/^[ \t]+|[ \t]+$/g, ""), "utf8");
              return got !== undefined && Buffer.from(got, "latin1").equals(want) ? undefined : `header arrived as ${JSON.stringify(got)}`;
            },
          },
        },
        "webhook.extra{}": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/xkey/${i}`, extra: { [v]: "x" } } }),
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/xkey/${a.index}`), a.value, a.value === "text" ? "t" : "x") },
        },
        "webhook.extra.*": {
          params: (v, i) => ({ text: "t", webhook: { url: `${ctx.recorder.url}/xval/${i}`, extra: { inj: v } } }),
          nul: true,
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/xval/${a.index}`), "inj", a.value) },
        },
        "telegram.botToken": {
          params: (v) => ({ text: "t", telegram: { botToken: v, chatId: 1, apiBase: ctx.recorder.url } }),
          apply: true,
        },
        "telegram.chatId": {
          params: (v, i) => ({ text: "t", telegram: { botToken: "123456:ABCdef", chatId: v, apiBase: `${ctx.recorder.url}/chat${i}` } }),
          apply: true,
          observe: { kind: "custom", check: (a) => jsonField(recorded(ctx, `/chat${a.index}/`), "chat_id", a.value) },
        },
        "telegram.apiBase": {
          params: (v, i) => ({
            text: "t",
            telegram: { botToken: "123456:ABCdef", chatId: 1, apiBase: `${ctx.recorder.url}/tg/${i}/${v}` },
          }),
          shape: urlTail,
          apply: true,
          observe: {
            kind: "custom",
            check: (a) => (recorded(ctx, `/tg/${a.index}/`) ? undefined : "no request reached the stand-in at that path"),
          },
        },
        "telegram.parseMode": {
          params: (v) => ({ text: "t", telegram: { botToken: "123456:ABCdef", chatId: 1, apiBase: ctx.recorder.url, parseMode: v } }),
        },
      },
    },
    "http.waitForHttp": {
      fuzz: {
        url: {
          params: (v, i) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/?w${i}&${v}`, timeoutSeconds: 2, intervalSeconds: 0.2 }),
          apply: true,
        },
        "body?": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, body: v, timeoutSeconds: 0.3, intervalSeconds: 0.1 }),
          runs: 8,
          apply: true,
        },
        "headers{}": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, headers: { [v]: "x" }, timeoutSeconds: 2 }),
          apply: true,
        },
        "headers.*": {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, headers: { "X-Inj": v }, timeoutSeconds: 2 }),
          apply: true,
        },
        caFile: {
          params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, caFile: `${ROOT}/ca/${v}`, timeoutSeconds: 2 }),
          apply: true,
        },
        from: { params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, from: v }) },
        client: { params: (v) => ({ url: `http://127.0.0.1:${ctx.hostHttpPort}/`, client: v }) },
      },
      excused: { "status?": "status codes: numbers, checked to be 100-599" },
    },
    "packages.apt": {
      fuzz: {
        "names?": { params: (v) => ({ names: [v] }) },
        deb: { params: (v, i) => ({ deb: `${ROOT}/deb/${i}/${v}.deb` }) },
        state: { params: (v) => ({ names: "curl", state: v }) },
      },
    },
    "packages.aptRepository": {
      fuzz: {
        name: {
          params: (v) => ({ name: v, uri: "http://127.0.0.1:9/debian", suites: "stable", components: ["main"], updateCache: false }),
          apply: true,
        },
        ...aptRepositorySlots(),
        "key?": {
          params: (v, i) => ({
            name: `injrk${i}`,
            uri: "http://127.0.0.1:9/debian",
            suites: "stable",
            components: ["main"],
            key: v,
            updateCache: false,
          }),
        },
        "types[]": {
          params: (v, i) => ({
            name: `injry${i}`,
            uri: "http://127.0.0.1:9/debian",
            suites: "stable",
            components: ["main"],
            types: [v],
            updateCache: false,
          }),
        },
        state: { params: (v) => ({ name: "injrs", uri: "http://127.0.0.1:9/debian", suites: "stable", components: ["main"], state: v }) },
      },
    },
    "packages.aptUpgrade": { fuzz: { mode: { params: (v) => ({ mode: v }) } } },
    "services.service": {
      fuzz: { name: { params: (v) => ({ name: v, state: "started" }) }, state: { params: (v) => ({ name: "ssh", state: v }) } },
    },
    "services.systemdTimer": {
      fuzz: {
        name: { params: (v) => ({ name: v, onCalendar: "2099-01-01", command: "true" }) },
        onCalendar: { params: (v, i) => ({ name: `injto${i}`, onCalendar: v, command: "true" }) },
        "onCalendar[]": { params: (v, i) => ({ name: `injto${i}`, onCalendar: [v], command: "true" }) },
        user: { params: (v, i) => ({ name: `injtu${i}`, onCalendar: "2099-01-01", command: "true", user: v }) },
        description: {
          params: (v, i) => ({ name: `injtd${i}`, onCalendar: "2099-01-01", command: "true", description: v }),
          apply: true,
          // systemd drops the whitespace around a value; anything else must arrive as given.
          observe: script(
            (a) => `systemctl show -p Description --value injtd${a.index}.service`,
            (a) => `${line(a.value).trim()}\n`,
          ),
        },
        workingDirectory: {
          params: (v, i) => ({ name: `injtw${i}`, onCalendar: "2099-01-01", command: "true", workingDirectory: `${ROOT}/wd/${v}` }),
          // A working directory is a path: at most PATH_MAX (systemd ignores a longer one).
          shape: (v) => v.slice(0, 1000),
          apply: true,
          observe: script(
            (a) => `systemctl show -p WorkingDirectory --value injtw${a.index}.service`,
            (a) => `${ROOT}/wd/${line(a.value)}\n`,
          ),
        },
        "environment.*": {
          params: (v, i) => ({
            name: `injte${i}`,
            onCalendar: "2099-01-01",
            command: `cat /proc/self/environ > ${ROOT}/tenv/${i}`,
            environment: { INJ: v },
          }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/tenv` }),
          apply: true,
          // Our own start of the oneshot service (running our own command) shows the environment systemd gives it.
          observe: {
            kind: "script",
            snippet: (a) =>
              `systemctl start injte${a.index}.service && python3 -c ${q('import sys\nfor e in open(sys.argv[1], "rb").read().split(b"\\0"):\n  if e.startswith(b"INJ="):\n    sys.stdout.buffer.write(e[4:])')} ${ROOT}/tenv/${a.index}`,
            expect: (a) => a.value,
          },
        },
        "environment{}": {
          params: (v, i) => ({ name: `injtk${i}`, onCalendar: "2099-01-01", command: "true", environment: { [v]: "x" } }),
        },
        state: { params: (v) => ({ name: "injts", state: v }) },
      },
      excused: { command: `${SHELL_BY_DESIGN}: ExecStart=/bin/sh -c "<command>"` },
    },
    "services.systemdUnit": {
      fuzz: {
        name: { params: (v) => ({ name: v, content: "[Unit]\n" }) },
        content: {
          params: (v, i) => ({ name: `injuc${i}.service`, content: v }),
          nul: true,
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injuc${a.index}.service`,
            (a) => a.value,
          ),
        },
        template: {
          params: (v, i) => ({
            name: `injut${i}.service`,
            template: localFile(ctx, `ut/${i}/${v}`, "[Unit]\nDescription={{d}}\n"),
            vars: { d: "x" },
          }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injut${a.index}.service`,
            () => "[Unit]\nDescription=x\n",
          ),
        },
        "vars.*": {
          params: (v, i) => ({ name: `injuv${i}.service`, template: unitTemplate, vars: { d: v } }),
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injuv${a.index}.service`,
            (a) => `[Unit]\nDescription=${a.value}\n`,
          ),
        },
        "vars{}": { params: (v, i) => ({ name: `injuk${i}.service`, template: unitTemplate, vars: { d: "x", [v]: "y" } }) },
        dropIn: { params: (v) => ({ name: "injud.service", dropIn: v, content: "[Unit]\n" }) },
        state: { params: (v) => ({ name: "injus.service", state: v }) },
      },
    },
    "source.gitCheckout": {
      fuzz: {
        repo: {
          params: (v, i) => ({ repo: v, dest: `${ROOT}/git-repo/${i}` }),
          apply: true,
          observe: argv("git", (a) => ["--", a.value, `${ROOT}/git-repo/${a.index}`]),
        },
        dest: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-dest/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: argv("git", (a) => ["--", gitBase.repo, `${ROOT}/git-dest/${a.index}/${a.value}`]),
        },
        ref: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-ref/${i}`, ref: v }),
          apply: true,
          observe: argv("git", (a) => ["--branch", a.value]),
        },
        deployKey: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-key/${i}`, deployKey: `${ROOT}/keys/${v}` }),
          apply: true,
          observe: {
            kind: "fake",
            tool: "git",
            check: (runs, a) =>
              runs.some((r) => r.ssh && r.ssh[0] === "ssh" && r.ssh[1] === "-i" && r.ssh[2] === `${ROOT}/keys/${a.value}`)
                ? undefined
                : `GIT_SSH_COMMAND never split into ssh -i ${JSON.stringify(`${ROOT}/keys/${a.value}`)}: ${JSON.stringify(
                    runs
                      .map((r) => r.ssh)
                      .filter(Boolean)
                      .slice(0, 2),
                  )}`,
          },
        },
        owner: { params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-owner/${i}`, owner: v }) },
      },
    },
    "system.cron": {
      fuzz: {
        name: { params: (v) => ({ name: v, job: "true", special: "@reboot" }) },
        job: {
          params: (v, i) => ({ name: `injcj${i}`, job: v, special: "@reboot" }),
          apply: true,
          // cron reads "%" as a line break unless escaped: the file holds the job with "\%", which cron reads back as "%".
          observe: script(
            (a) => `sed -n '2p' /etc/cron.d/injcj${a.index}`,
            (a) => `@reboot root ${line(a.value).replace(/%/g, "\\%")}\n`,
          ),
        },
        user: { params: (v, i) => ({ name: `injcu${i}`, job: "true", user: v }) },
        ...Object.fromEntries(
          (["minute", "hour", "day", "month", "weekday"] as const).map((k) => [
            k,
            { params: (v: string, i: number) => ({ name: `injcf${i}`, job: "true", [k]: v }) } satisfies SlotFuzz,
          ]),
        ),
        special: { params: (v, i) => ({ name: `injcs${i}`, job: "true", special: v }) },
        "env.*": {
          params: (v, i) => ({ name: `injce${i}`, job: "true", special: "@reboot", env: { INJ: v } }),
          apply: true,
          observe: script(cronEnvValue, (a) => a.value),
        },
        "env{}": { params: (v, i) => ({ name: `injck${i}`, job: "true", env: { [v]: "x" } }) },
        state: { params: (v) => ({ name: "injcst", state: v }) },
      },
    },
    "system.hostname": { fuzz: { name: { params: (v) => ({ name: v, hostsEntry: false }) } } },
    "system.sysctl": {
      fuzz: {
        key: { params: (v, i) => ({ key: v, value: "1", name: `injsk${i}`, apply: false }) },
        value: {
          params: (v, i) => ({ key: "net.ipv4.ip_forward", value: v, name: `injsv${i}`, apply: false }),
          apply: true,
          // The kernel and sysctl(8) read a value with its whitespace runs as single spaces: bosun writes it so.
          observe: script(
            (a) => `cat /etc/sysctl.d/injsv${a.index}.conf`,
            (a) => `net.ipv4.ip_forward = ${line(a.value).trim().split(/\s+/).join(" ")}\n`,
          ),
        },
        name: { params: (v) => ({ key: "net.ipv4.ip_forward", value: "1", name: v, apply: false }) },
        state: { params: (v) => ({ key: "net.ipv4.ip_forward", state: v, name: "injss" }) },
      },
    },
    "system.timezone": { fuzz: { name: { params: (v) => ({ name: v }) } } },
    "tls.certbotIssue": {
      fuzz: {
        "domains[]": { params: (v) => ({ ...certBase, domains: [v] }) },
        authenticator: { params: (v) => ({ ...certBase, authenticator: v }) },
        certName: { params: (v) => ({ ...certBase, certName: v }) },
        webroot: {
          params: (v, i) => ({ ...certBase, certName: `injw${i}`, webroot: `${ROOT}/wr/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--webroot-path", `${ROOT}/wr/${a.value}`]),
        },
        cloudflareToken: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "dns-cloudflare",
            certName: `injt${i}`,
            cloudflareToken: v,
            cloudflareCredentials: `${ROOT}/cf/${i}.ini`,
          }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/cf`,
            (a) => `${a.index}.ini`,
            (a) => `# Cloudflare API token for certbot (written by bosun)\ndns_cloudflare_api_token = ${line(a.value)}\n`,
          ),
        },
        cloudflareCredentials: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "dns-cloudflare",
            certName: `injc${i}`,
            cloudflareToken: "tok",
            cloudflareCredentials: `${ROOT}/cfc/${i}/${v}`,
          }),
          shape: noDotSegments,
          apply: true,
          observe: argv("certbot", (a) => ["--dns-cloudflare-credentials", `${ROOT}/cfc/${a.index}/${a.value}`]),
        },
        authHook: {
          params: (v, i) => ({ ...certBase, webroot: undefined, authenticator: "manual", certName: `injah${i}`, authHook: v }),
          apply: true,
          observe: argv("certbot", (a) => ["--manual-auth-hook", a.value]),
        },
        cleanupHook: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "manual",
            certName: `injch${i}`,
            authHook: "true",
            cleanupHook: v,
          }),
          apply: true,
          observe: argv("certbot", (a) => ["--manual-cleanup-hook", a.value]),
        },
        challenge: { params: (v) => ({ ...certBase, webroot: undefined, authenticator: "manual", authHook: "true", challenge: v }) },
        server: {
          params: (v, i) => ({ ...certBase, certName: `injsv${i}`, server: `https://acme.lab.test/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--server", `https://acme.lab.test/${a.value}`]),
        },
        email: {
          params: (v, i) => ({ ...certBase, registerUnsafelyWithoutEmail: undefined, certName: `injm${i}`, email: `${v}@lab.test` }),
          apply: true,
          observe: argv("certbot", (a) => ["--email", `${a.value}@lab.test`]),
        },
        keyType: { params: (v) => ({ ...certBase, keyType: v }) },
        "env.*": {
          params: (v, i) => ({ ...certBase, certName: `inje${i}`, env: { INJ: v } }),
          apply: true,
          observe: envEntry(
            "certbot",
            (a) => ["--cert-name", `inje${a.index}`],
            (a) => `INJ=${a.value}`,
          ),
        },
        "env{}": { params: (v) => ({ ...certBase, env: { [v]: "x" } }) },
        ...Object.fromEntries(
          (["preHook", "postHook", "deployHook"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ ...certBase, certName: `inj${k}${i}`, [k]: v }),
              apply: true,
              observe: argv("certbot", (a) => [`--${k.replace("Hook", "")}-hook`, a.value]),
            } satisfies SlotFuzz,
          ]),
        ),
      },
    },
    "tls.certbotRenew": {
      fuzz: {
        certName: { params: (v) => ({ certName: v, force: true }) },
        ...Object.fromEntries(
          (["preHook", "postHook", "deployHook"] as const).map((k) => [
            k,
            {
              params: (v: string) => ({ force: true, [k]: v }),
              apply: true,
              observe: argv("certbot", (a) => [`--${k.replace("Hook", "")}-hook`, a.value]),
            } satisfies SlotFuzz,
          ]),
        ),
        server: {
          params: (v) => ({ force: true, server: `https://acme.lab.test/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--server", `https://acme.lab.test/${a.value}`]),
        },
        "env.*": {
          params: (v) => ({ force: true, env: { INJ: v } }),
          apply: true,
          observe: {
            kind: "fake",
            tool: "certbot",
            check: (runs, a) =>
              runs.some((r) => r.env.includes(`INJ=${a.value}`)) ? undefined : `no certbot run had INJ=${JSON.stringify(a.value)}`,
          },
        },
        "env{}": { params: (v) => ({ force: true, env: { [v]: "x" } }) },
      },
    },
    "tls.nginxSite": {
      fuzz: {
        name: { params: (v) => ({ name: v, content: "x" }) },
        template: {
          params: (v, i) => ({ name: `injnt${i}`, template: localFile(ctx, `nt/${i}/${v}`, "# {{x}}\n"), vars: { x: "ok" } }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnt${a.index}`,
            () => "# ok\n",
          ),
        },
        content: {
          params: (v, i) => ({ name: `injnc${i}`, content: v }),
          nul: true,
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnc${a.index}`,
            (a) => a.value,
          ),
        },
        "vars.*": {
          params: (v, i) => ({ name: `injnv${i}`, template: siteTemplate, vars: { x: v } }),
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnv${a.index}`,
            (a) => `# ${a.value}\n`,
          ),
        },
        "vars{}": { params: (v, i) => ({ name: `injnk${i}`, template: siteTemplate, vars: { x: "ok", [v]: "y" } }) },
        state: { params: (v) => ({ name: "injns", state: v }) },
      },
    },
    "ufw.allow": ufwSlots(),
    "ufw.deny": ufwSlots(),
    "ufw.limit": ufwSlots(),
    "ufw.default": {
      fuzz: Object.fromEntries(
        (["incoming", "outgoing", "routed"] as const).map((k) => [k, { params: (v: string) => ({ [k]: v }) } satisfies SlotFuzz]),
      ),
    },
    "ufw.enable": { fuzz: { state: { params: (v) => ({ state: v }) } } },
    "docker.composeConfig": composeSlots("config", { observeChecks: true }),
    "docker.composeDown": composeSlots("down", { observeChecks: true }),
    "docker.composePull": {
      fuzz: {
        ...composeSlots("pull", { observeChecks: true }).fuzz,
        "services[]": { params: (v) => ({ projectDir: composeDir, services: [v] }) },
        policy: { params: (v) => ({ projectDir: composeDir, policy: v }) },
      },
    },
    "docker.composeUp": {
      fuzz: {
        ...composeSlots("up", { observeChecks: true }).fuzz,
        "services[]": { params: (v) => ({ projectDir: composeDir, services: [v] }) },
        pull: { params: (v) => ({ projectDir: composeDir, pull: v }) },
      },
    },
    "docker.composeRun": {
      fuzz: {
        ...composeSlots("run", { apply: true }).fuzz,
        service: { params: (v) => ({ projectDir: composeDir, service: v }) },
        "command[]": {
          params: (v) => ({ projectDir: composeDir, service: "app", command: [v] }),
          apply: true,
          observe: argv("docker", (a) => ["app", a.value]),
        },
        "env.*": {
          params: (v) => ({ projectDir: composeDir, service: "app", env: { INJ: v } }),
          apply: true,
          observe: argv("docker", (a) => ["-e", `INJ=${a.value}`]),
        },
        "env{}": { params: (v) => ({ projectDir: composeDir, service: "app", env: { [v]: "x" } }), apply: true },
        entrypoint: {
          params: (v) => ({ projectDir: composeDir, service: "app", entrypoint: v }),
          apply: true,
          observe: argv("docker", (a) => ["--entrypoint", a.value]),
        },
      },
    },
    "docker.login": {
      fuzz: {
        registry: { params: (v, i) => ({ registry: v, username: "u", password: "p", configDir: `${ROOT}/dcfg-r/${i}` }), apply: true },
        username: {
          params: (v, i) => ({ registry: "registry.lab.test:5000", username: v, password: "p", configDir: `${ROOT}/dcfg-u/${i}` }),
          apply: true,
          observe: argv("docker", (a) => ["--username", a.value]),
        },
        password: {
          params: (v, i) => ({ registry: "registry.lab.test:5000", username: `u${i}`, password: v, configDir: `${ROOT}/dcfg-p/${i}` }),
          nul: true,
          apply: true,
          observe: {
            kind: "fake",
            tool: "docker",
            check: (runs, a) => {
              const run = runs.find((r) => hasSequence(r.argv, ["--username", `u${a.index}`]));
              return run?.stdin === a.value ? undefined : `docker login read ${JSON.stringify(run?.stdin)} on stdin`;
            },
          },
        },
        configDir: {
          params: (v, i) => ({
            registry: "registry.lab.test:5000",
            username: `c${i}`,
            password: "p",
            configDir: `${ROOT}/dcfg-d/${i}/${v}`,
          }),
          shape: noDotSegments,
          apply: true,
          observe: envEntry(
            "docker",
            (a) => ["--username", `c${a.index}`],
            (a) => `DOCKER_CONFIG=${ROOT}/dcfg-d/${a.index}/${a.value}`,
          ),
        },
        owner: {
          params: (v, i) => ({
            registry: "registry.lab.test:5000",
            username: "u",
            password: "p",
            configDir: `${ROOT}/dcfg-o/${i}`,
            owner: v,
          }),
        },
      },
    },
    "docker.engine": {
      fuzz: {
        source: { params: (v) => ({ source: v }) },
        composePlugin: { params: (v) => ({ composePlugin: v }) },
        composePluginDeb: { params: (v) => ({ composePluginDeb: `http://files.lab.test/${urlTail(v)}` }), runs: 8, classics: 4 },
        composePackage: { params: (v) => ({ composePackage: v }) },
        "users[]": { params: (v) => ({ users: [v] }) },
        // dockerEngine's check reads the whole engine state: fewer values for its accepted slots.
        "daemonJson?": { params: (v) => ({ daemonJson: { "log-driver": v, [v]: "x" } }), runs: 8, classics: 4 },
        repoUrl: { params: (v) => ({ source: "docker", repoUrl: `https://127.0.0.1:9/${urlTail(v)}` }), runs: 8, classics: 4 },
      },
    },
    "docker.imagePrune": {
      fuzz: {
        "repositories[]": {
          params: (v) => ({ repositories: [v], keep: 1 }),
          observeChecks: true,
          observe: argv("docker", (a) => ["--", a.value]),
        },
        "keepTags[]": { params: (v) => ({ repositories: ["inj"], keep: 1, keepTags: [v] }) },
      },
    },
  });
}

/**
 * Tasks whose every run costs seconds on a loaded host (a systemd reload, a stand-in program run
 * several times, sshd -t or visudo, a curl loop): the slots that run them get fewer values, the
 * first classics among them. The summary gives the count per parameter.
 */
const SLOW_TASKS = new Set([
  "services.systemdTimer",
  "services.systemdUnit",
  "source.gitCheckout",
  "tls.certbotIssue",
  "tls.certbotRenew",
  "tls.nginxSite",
  "docker.login",
  "docker.composeRun",
  "docker.composeConfig",
  "docker.composeDown",
  "docker.composePull",
  "docker.composeUp",
  "docker.imagePrune",
  "ci.gitlabRunnerRegister",
  "access.sudoers",
  "http.waitForHttp",
  "ufw.allow",
  "ufw.deny",
  "ufw.limit",
]);
const SLOW: Pick<SlotFuzz, "runs" | "classics"> = { runs: 8, classics: 4 };

function slowDown(cases: Record<string, TaskCase>): Record<string, TaskCase> {
  for (const [id, c] of Object.entries(cases)) {
    if (!SLOW_TASKS.has(id)) continue;
    const fuzz = Object.fromEntries(Object.entries(c.fuzz).map(([k, f]) => [k, f.apply || f.observeChecks ? { ...SLOW, ...f } : f]));
    cases[id] = { ...c, fuzz };
  }
  return cases;
}

function jsonField(req: { json?: unknown } | undefined, field: string, want: unknown): string | undefined {
  if (!req) return "no request reached the stand-in";
  const got = (req.json as Record<string, unknown> | undefined)?.[field];
  return got === want ? undefined : `JSON field ${JSON.stringify(field)} arrived as ${JSON.stringify(got)?.slice(0, 200)}`;
}

/** Parse a deb822 stanza the way apt does (fields, continuation lines); a line that is neither is a problem. */
function deb822(text: string): Map<string, string> | string {
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

function aptRepositorySlots(): Record<string, SlotFuzz> {
  const base = (i: number, tag: string) => ({
    name: `injr${tag}${i}`,
    uri: "http://127.0.0.1:9/debian",
    suites: "stable",
    components: ["main"],
    updateCache: false,
  });
  const std = { Types: "deb", URIs: "http://127.0.0.1:9/debian", Suites: "stable", Components: "main" };
  /** apt must read exactly these fields, the slot's holding the literal value. */
  const fields = (tag: string, want: (a: Attempt) => Record<string, string>): Observer => ({
    kind: "script",
    snippet: (a) => `cat /etc/apt/sources.list.d/injr${tag}${a.index}.sources`,
    judge: (out, a) => {
      const got = deb822(out.toString("utf8"));
      if (typeof got === "string") return got;
      const expected = Object.entries(want(a));
      const same = got.size === expected.length && expected.every(([k, v]) => got.get(k) === v);
      return same ? undefined : `apt reads ${JSON.stringify(Object.fromEntries(got)).slice(0, 300)}`;
    },
  });
  return {
    uri: {
      params: (v, i) => ({ ...base(i, "u"), uri: `http://127.0.0.1:9/${v}` }),
      apply: true,
      observe: fields("u", (a) => ({ ...std, URIs: `http://127.0.0.1:9/${a.value}` })),
    },
    "suites?": {
      params: (v, i) => ({ ...base(i, "s"), suites: v }),
      apply: true,
      observe: fields("s", (a) => ({ ...std, Suites: a.value })),
    },
    "components[]": {
      params: (v, i) => ({ ...base(i, "c"), components: [v] }),
      apply: true,
      observe: fields("c", (a) => ({ ...std, Components: a.value })),
    },
    "architectures[]": {
      params: (v, i) => ({ ...base(i, "a"), architectures: [v] }),
      apply: true,
      observe: fields("a", (a) => ({ ...std, Architectures: a.value })),
    },
    signedBy: {
      params: (v, i) => ({ ...base(i, "b"), signedBy: `/etc/apt/keyrings/${v}` }),
      apply: true,
      observe: fields("b", (a) => ({ ...std, "Signed-By": `/etc/apt/keyrings/${a.value}` })),
    },
  };
}
