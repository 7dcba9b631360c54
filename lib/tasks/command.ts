/**
 * command: run a command on the host, honestly. Like Ansible's command/shell, a bare command
 * always reports "changed" and cannot say in check mode what it would do; `creates`, `removes`
 * and `unless` (checked in the one check command) and `changedWhen` make it idempotent and honest.
 */
import { defineTask, changed, unchanged, type ActionStep, type Prerequisite, type TaskHost } from "../core/task.js";
import { sh, raw, quote, type Command, type RawShell } from "../core/command.js";
import {
  taskParams,
  required,
  optional,
  typed,
  str,
  nonEmpty,
  bool,
  func,
  any,
  secretString,
  record,
  type Static,
} from "../core/params.js";
import { Secret, mask } from "../core/secrets.js";
import type { ExecResult } from "../core/connection.js";

/** What a command printed and how it exited: the task's typed output. */
export interface CommandOutput {
  /** Standard output, untrimmed. */
  readonly stdout: string;
  /** Standard error, untrimmed. */
  readonly stderr: string;
  /** Exit status (null when killed by a signal). */
  readonly rc: number | null;
}

function isCommand(value: unknown): value is Command {
  return !!value && typeof value === "object" && !Array.isArray(value) && typeof (value as Command).text === "string";
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `export K='v' ... ` followed by `then`, or nothing without env. Names are checked, values quoted. */
function exportEnv(env: CommandParams["env"], then: string): RawShell {
  const pairs = Object.entries(env ?? {}).map(([k, v]) => {
    if (!ENV_NAME.test(k)) throw new Error(`Cannot export environment variable ${JSON.stringify(k)}: invalid name`);
    return `${k}=${quote(v)}`;
  });
  return raw(pairs.length ? `export ${pairs.join(" ")}${then}` : "");
}

/** The command line the task runs: env exported, cwd entered, then the command itself. */
export function buildCommandLine(p: CommandParams): Command {
  const base = isCommand(p.cmd) ? p.cmd : sh`${p.cmd as readonly string[]}`;
  const env = exportEnv(p.env, " && ");
  const cwd = p.cwd === undefined ? raw("") : sh`cd -- ${p.cwd} && `;
  const stdin = p.stdin ?? base.stdin;
  return {
    text: sh`${env}${cwd}{ ${raw(base.text)}\n}`.text,
    ...(stdin === undefined ? {} : { stdin }),
    ...(base.sudo === undefined ? {} : { sudo: base.sudo }),
  };
}

/** The one check command that evaluates the guards; prints `creates`, `removes`, `unless`, `nocwd` or `run`. */
export function buildGuardCommand(p: CommandParams): Command | undefined {
  if (p.creates === undefined && p.removes === undefined && p.unless === undefined) return undefined;
  const env = exportEnv(p.env, "; ");
  const cwd = p.cwd === undefined ? raw("") : sh`cd -- ${p.cwd} 2>/dev/null || { echo nocwd; exit 0; }; `;
  const branches: Command[] = [];
  if (p.creates !== undefined) branches.push(sh`[ -e ${p.creates} ] || [ -L ${p.creates} ]; then echo creates`);
  if (p.removes !== undefined) branches.push(sh`! [ -e ${p.removes} ] && ! [ -L ${p.removes} ]; then echo removes`);
  if (p.unless !== undefined) {
    const input = p.unless.stdin === undefined ? raw(" </dev/null") : raw("");
    branches.push(sh`{ ${raw(p.unless.text)}\n} >/dev/null 2>&1${input}; then echo unless`);
  }
  const text = `${sh`${env}${cwd}`.text}if ${branches.map((b) => b.text).join("; elif ")}; else echo run; fi`;
  return { text, ...(p.unless?.stdin === undefined ? {} : { stdin: p.unless.stdin }) };
}

/** The command on one line, shortened and masked, for titles and messages. */
function display(p: CommandParams): string {
  const text = (isCommand(p.cmd) ? (p.cmd.label ?? p.cmd.text) : sh`${p.cmd as readonly string[]}`.text).replace(/\n/g, "\\n");
  return mask(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

function toOutput(r: ExecResult | CommandOutput): CommandOutput {
  return { stdout: r.stdout, stderr: r.stderr, rc: "rc" in r ? r.rc : r.code };
}

function failureMessage(out: CommandOutput, p: CommandParams, why: string): string {
  const tail = (out.stderr || out.stdout).trim().split("\n").slice(-5).join("\n");
  return `Command failed (${why}): ${display(p)}${tail ? `\n${tail}` : ""}`;
}

/** Run the command from a step, judging it with failedWhen and changedWhen. */
async function runJudged(host: TaskHost, p: CommandParams): Promise<{ output: CommandOutput; changed: boolean }> {
  const output = toOutput(await host.exec(buildCommandLine(p)));
  const failed = p.failedWhen ? p.failedWhen(output) : output.rc !== 0;
  if (failed) throw host.fail(failureMessage(output, p, p.failedWhen ? `failedWhen, exit ${output.rc}` : `exit ${output.rc}`));
  return { output, changed: p.changedWhen ? p.changedWhen(output) : true };
}

const SKIP_MESSAGES: Record<string, (p: CommandParams) => string> = {
  creates: (p) => `not run: ${p.creates} exists`,
  removes: (p) => `not run: ${p.removes} does not exist`,
  unless: () => `not run: the unless command succeeded`,
};

function paramsProblem(p: CommandParams): string | undefined {
  const cmdOk = isCommand(p.cmd) || (Array.isArray(p.cmd) && p.cmd.length > 0 && p.cmd.every((w) => typeof w === "string"));
  if (!cmdOk) return `parameter "cmd" must be a command built with sh\`...\` or a non-empty array of strings`;
  if (Array.isArray(p.cmd) && p.cmd.some((w) => w.includes("\0")))
    return `parameter "cmd" must not contain a NUL byte (argv cannot carry one)`;
  if (p.unless !== undefined && !isCommand(p.unless)) return `parameter "unless" must be a command built with sh\`...\``;
  for (const name of ["changedWhen", "failedWhen"] as const) {
    if (p[name] !== undefined && typeof p[name] !== "function") return `parameter "${name}" must be a function of { stdout, stderr, rc }`;
  }
  if (p.stdin !== undefined && typeof p.stdin !== "string" && !(p.stdin instanceof Secret))
    return `parameter "stdin" must be a string or a Secret`;
  if (p.stdin !== undefined && isCommand(p.cmd) && p.cmd.stdin !== undefined)
    return `parameter "stdin" conflicts with the stdin already attached to "cmd"`;
  for (const [k, v] of Object.entries(p.env ?? {})) {
    if (!ENV_NAME.test(k)) return `parameter "env" has an invalid variable name ${JSON.stringify(k)}`;
    if (mask(v) !== v) return `parameter "env.${k}" holds a secret: environment values are visible in the process list; pass it on stdin`;
  }
  if (p.readOnly) {
    const extra = (["creates", "removes", "unless", "changedWhen"] as const).find((k) => p[k] !== undefined);
    if (extra) return `parameter "${extra}" makes no sense with readOnly (a probe always runs and never changes anything)`;
  }
  return undefined;
}

/** Parameters for {@link command}. */
export const commandParams = taskParams({
  cmd: required(
    typed<Command | readonly string[]>(any),
    "A shell command built with `sh` (pipes, redirections and all), or an argv array that is quoted word by word.",
  ),
  cwd: optional(nonEmpty, "Directory to run in (`cd -- DIR &&`); relative `creates`/`removes` start here too."),
  stdin: optional(secretString, "Text written to the command's stdin; a Secret stays out of every log."),
  env: optional(
    record(str),
    "Environment variables (`export K=V` before the command). Values are visible in the process list: never secrets.",
  ),
  creates: optional(nonEmpty, "Skip (ok) when this path exists: the command creates it."),
  removes: optional(nonEmpty, "Skip (ok) when this path does not exist: the command removes it."),
  unless: optional(typed<Command>(any), "Skip (ok) when this command exits 0 (e.g. `sh\\`id -u deploy\\``); its output is discarded."),
  changedWhen: optional(
    typed<(result: CommandOutput) => boolean>(func),
    "Whether the run changed something, judged from its output (default: always true).",
  ),
  failedWhen: optional(
    typed<(result: CommandOutput) => boolean>(func),
    "Whether the run failed, judged from its output (default: exit status not 0).",
  ),
  readOnly: optional(bool, "A read-only probe (`docker compose ps`): it runs during the check, in check mode too, and reports ok."),
});
/** Parameters for {@link command}. */
export type CommandParams = Static<typeof commandParams>;

/**
 * Run a command. Without `creates`/`removes`/`unless` it always runs and reports changed (in
 * check mode: would run, and does not run), and without `changedWhen` a run always counts as a
 * change, like Ansible's command module; those options make it honest. Guards cost the one check
 * command; the run is the second. `readOnly` probes run during the check and report ok. The
 * output `{ stdout, stderr, rc }` is in `result.output`.
 * @example command({ cmd: sh`tar -xzf ${archive} -C /opt/app`, creates: "/opt/app/bin/app" })
 * @example command({ cmd: ["useradd", "--system", "app"], unless: sh`id -u app` })
 * @example command({ cmd: sh`psql -f migrate.sql`, cwd: "/srv/app", changedWhen: (r) => /APPLIED/.test(r.stdout) })
 * @example const ps = await host.run(command({ cmd: sh`docker compose ps --format json`, cwd: "/srv/app", readOnly: true }));
 */
export const command = defineTask<CommandParams, CommandOutput>({
  id: "command.run",
  description: "Run a command; creates/removes/unless guards and changedWhen make it idempotent and honest in check mode.",
  title: (p) => `command ${display(p)}`,
  schema: commandParams,
  validate: paramsProblem,
  async check(host, p) {
    if (p.readOnly) {
      const { output } = await runJudged(host, p);
      // The probe is the command itself: its result carries stdout/stderr/rc like an applied one.
      return { ...unchanged(`probed: ${display(p)} (exit ${output.rc})`, output), ran: output };
    }
    const guard = buildGuardCommand(p);
    const note = guard ? "" : " (no creates/removes/unless guard: a bare command always runs)";
    const needs: Prerequisite[] = [];
    if (guard) {
      const r = await host.exec(guard);
      const verdict = r.code === 0 ? r.stdout.trim().split("\n").pop() : undefined;
      const skip = verdict ? SKIP_MESSAGES[verdict] : undefined;
      if (skip) return unchanged(skip(p));
      if (verdict === "nocwd") {
        needs.push({
          doing: `Cannot run ${display(p)}`,
          missing: `directory "${p.cwd}" does not exist`,
          hint: "create it first with ensureDir",
        });
      } else if (verdict !== "run") {
        throw host.fail(`Cannot evaluate the guards of ${display(p)}: exit ${r.code}${r.stderr.trim() ? `\n${r.stderr.trim()}` : ""}`);
      }
    }
    const message = `run ${display(p)}${note}`;
    if (p.changedWhen || p.failedWhen) {
      const step: ActionStep = { label: display(p), run: (h) => runJudged(h, p) };
      return changed<CommandOutput>([step], {
        message,
        needs,
        finish: (results) => {
          const r = results[0] as { output: CommandOutput; changed: boolean };
          return {
            output: r.output,
            changed: r.changed,
            message: `ran ${display(p)} (exit ${r.output.rc})${r.changed ? "" : "; changedWhen: nothing changed"}`,
          };
        },
      });
    }
    return changed<CommandOutput>([buildCommandLine(p)], {
      message,
      needs,
      finish: (results) => {
        const output = toOutput(results[0] as ExecResult);
        return { output, message: `ran ${display(p)} (exit ${output.rc})` };
      },
    });
  },
});
