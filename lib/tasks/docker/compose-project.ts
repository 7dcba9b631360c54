/** What every compose task names: the project directory, compose files, env files and project name. */
import { sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, matching, absPath, list, nonEmpty, type Static } from "../../core/params.js";

/** The parameters every compose task shares (spread into each task's `taskParams`): `projectDir` is required. */
export const composeProjectProperties = {
  projectDir: required(absPath, "Directory the compose command runs in; relative `files` and `envFiles` are relative to it."),
  files: optional(list(nonEmpty), "Compose files, in order (`-f` each); compose's default (`compose.yaml`...) when omitted."),
  envFiles: optional(list(nonEmpty), "Env files, in order (`--env-file` each); compose reads `.env` when omitted."),
  projectName: optional(
    // Compose project names: lowercase letters, digits, dashes and underscores, starting with a letter or digit.
    matching("^[a-z0-9][a-z0-9_-]*$"),
    "Project name (`-p`); compose derives it from the directory when omitted.",
  ),
};
/** The compose project alone: the parameters of a task that only names it ({@link composeConfig}). */
export const composeProjectParams = taskParams(composeProjectProperties);
/** The compose project a task acts on (shared by every compose task). */
export type ComposeProjectParams = Static<typeof composeProjectParams>;

/** Services are compose service names. */
export const serviceName = matching("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");

/** `docker compose -p P -f a -f b --env-file e` (without the `cd`). */
export function composeCommand(p: ComposeProjectParams): Command {
  const words: string[] = [];
  if (p.projectName) words.push("-p", p.projectName);
  for (const f of p.files ?? []) words.push("-f", f);
  for (const e of p.envFiles ?? []) words.push("--env-file", e);
  return sh`docker compose ${words}`;
}

/** `cd -- DIR && docker compose ...`: the prefix of every compose command of a task. */
export function inProject(p: ComposeProjectParams, rest: Command): Command {
  return sh`cd -- ${p.projectDir} && ${composeCommand(p)} ${rest}`;
}

/** A short name of the project for titles: its name or its directory. */
export function projectLabel(p: ComposeProjectParams): string {
  return p.projectName ?? p.projectDir;
}

/** The last lines of a command's error output, for failure messages. */
export function tail(text: string, lines = 8): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}
