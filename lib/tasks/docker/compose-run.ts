/** composeRun: a one-off container of a compose service (a migrator...), with its exit code and output. */
import { defineTask, changed } from "../../core/task.js";
import { raw, sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, bool, list, nonEmpty, record, secretString, str, type Static } from "../../core/params.js";
import { Secret, reveal } from "../../core/secrets.js";
import type { ExecResult } from "../../core/connection.js";
import { composeCommand, composeProjectProperties, projectLabel, serviceName, tail } from "./compose-project.js";

/** Parameters for {@link composeRun}. */
export const composeRunParams = taskParams({
  ...composeProjectProperties,
  service: required(serviceName, "The service whose image and settings the container uses."),
  command: optional(list(str), "Command and arguments (argv, each word quoted); the image's default command when omitted."),
  env: optional(
    record(secretString),
    "Extra environment variables: plain values go in argv (`-e NAME=value`), Secret values travel on stdin.",
  ),
  entrypoint: optional(nonEmpty, 'Replace the image\'s entrypoint (`--entrypoint`), e.g. `sh` with `command: ["-c", "..."]`.'),
  noDeps: optional(bool, "Do not start the services it depends on (`--no-deps`)."),
  allowFailure: optional(bool, "A non-zero exit is reported in the output instead of failing the task."),
});
/** Parameters for {@link composeRun}. */
export type ComposeRunParams = Static<typeof composeRunParams>;

/** Output of {@link composeRun}. */
export interface ComposeRunOutput {
  /** Exit code of the container's command. */
  readonly exitCode: number;
  /** What it printed on stdout. */
  readonly stdout: string;
}

/**
 * Run a one-off container of a service and remove it (`docker compose run --rm -T`), e.g. a
 * database migrator before `composeUp`. It always changes (it runs something) and costs one
 * command; check mode only says what would run. A non-zero exit fails the task (with the last
 * lines the container printed) unless `allowFailure`.
 * @example composeRun({ projectDir: "/srv/cfa", service: "migrator", command: ["migrate", "up"], envFiles: [".env", "deploy.env"] })
 */
export const composeRun = defineTask<ComposeRunParams, ComposeRunOutput>({
  id: "docker.composeRun",
  description: "Run a one-off container of a compose service (`run --rm`), returning its exit code and stdout.",
  title: (p) => `compose run ${projectLabel(p)} ${p.service}${p.command?.length ? ` ${p.command.join(" ")}` : ""}`,
  schema: composeRunParams,
  validate: (p) => {
    const entries = Object.entries(p.env ?? {});
    const bad = entries.find(([k]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
    if (bad) return `parameter "env" has an invalid variable name ${JSON.stringify(bad[0])}`;
    const multiline = entries.find(([, v]) => v instanceof Secret && reveal(v).includes("\n"));
    return multiline ? `parameter "env.${multiline[0]}" is a Secret with a newline; put it in an env file` : undefined;
  },
  async check(host, p) {
    const entries = Object.entries(p.env ?? {});
    const secrets = entries.filter((e): e is [string, Secret] => e[1] instanceof Secret);
    const env = entries.flatMap(([k, v]) => ["-e", v instanceof Secret ? k : `${k}=${v}`]);
    const args = [
      "--rm",
      "-T",
      ...(p.noDeps ? ["--no-deps"] : []),
      ...(p.entrypoint === undefined ? [] : ["--entrypoint", p.entrypoint]),
      ...env,
      p.service,
      ...(p.command ?? []),
    ];
    // Secret values are read from stdin into the environment of `docker compose`, which passes them on (`-e NAME`).
    const reads = raw(secrets.map(([k]) => `IFS= read -r ${k} || exit 1; export ${k}; `).join(""));
    const run: Command = {
      ...sh`${reads}cd -- ${p.projectDir} && ${composeCommand(p)} run ${args}`,
      ...(secrets.length ? { stdin: new Secret(secrets.map(([, v]) => `${reveal(v)}\n`).join("")) } : {}),
    };
    const label = `compose run ${projectLabel(p)} ${p.service}`;
    return changed(
      [
        {
          label,
          async run(h) {
            const r: ExecResult = await h.exec({ ...run, label });
            if (r.code !== 0 && !p.allowFailure) {
              throw h.fail(
                `Cannot run ${p.service} of compose project ${projectLabel(p)}: exit ${r.code}${r.stderr || r.stdout ? `\n${tail(r.stderr || r.stdout)}` : ""}`,
                "pass allowFailure: true to get the exit code in the output instead",
              );
            }
            return r;
          },
        },
      ],
      {
        message: `would run ${p.service}${p.command?.length ? ` ${p.command.join(" ")}` : ""}`,
        finish: (results) => {
          const r = results[0] as ExecResult;
          const exitCode = r.code ?? -1;
          return { output: { exitCode, stdout: r.stdout }, message: `${p.service} exited with ${exitCode}` };
        },
      },
    );
  },
});
