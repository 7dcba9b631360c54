/** gitlabRunnerRegister: a GitLab runner is registered once (docker executor), read from config.toml. */
import { defineTask, changed, unchanged, type Prerequisite, type TaskHost } from "../../core/task.js";
import { sh, raw, type Command } from "../../core/command.js";
import { taskParams, required, optional, nonEmpty, absPath, bool, int, secretString, oneOf, list, type Static } from "../../core/params.js";
import { secret } from "../../core/secrets.js";
import { gitlabRunnerConfig, type RunnerEntry } from "../../facts/gitlab-runner.js";
import { insertAfter, replaceLine, setConcurrent, tomlLine } from "./runner-config-edit.js";

/** What the task found or did. */
export interface GitlabRunnerRegisterOutput {
  /** True when this run registered the runner. */
  readonly registered: boolean;
  /** The runner's name. */
  readonly name: string;
}

const DEFAULT_CONFIG = "/etc/gitlab-runner/config.toml";
const SERVER_ONLY = ["tagList", "runUntagged", "locked"] as const;

function tokenTypeOf(p: GitlabRunnerRegisterParams): "runner" | "registration" {
  const token = typeof p.token === "string" ? p.token : p.token.reveal();
  return p.tokenType ?? (token.startsWith("glrt-") ? "runner" : "registration");
}

function paramsProblem(p: GitlabRunnerRegisterParams): string | undefined {
  if (!/^https?:\/\/\S+$/.test(p.url)) return `parameter "url" must be an http:// or https:// URL`;
  if (/[\r\n]/.test(typeof p.token === "string" ? p.token : p.token.reveal())) return `parameter "token" must be one line`;
  if (p.name !== undefined && /[\r\n"\\]/.test(p.name)) return `parameter "name" cannot contain quotes, backslashes or line breaks`;
  if (/\s/.test(p.image)) return `parameter "image" must be an image reference without spaces`;
  if (p.tagList?.some((t) => !/^[^,\s]+$/.test(t))) return `parameter "tagList" must be words without commas or spaces`;
  if (p.concurrency !== undefined && p.concurrency < 1) return `parameter "concurrency" must be at least 1`;
  if (tokenTypeOf(p) === "runner") {
    const bad = SERVER_ONLY.find((k) => p[k] !== undefined);
    if (bad)
      return `parameter "${bad}" cannot be used with a runner authentication token (glrt-...): set it in GitLab when creating the runner`;
  }
  return undefined;
}

/** The `gitlab-runner register` command; the token comes on stdin into the environment variable the real CLI reads. */
function registerCommand(p: GitlabRunnerRegisterParams, name: string, configFile: string): Command {
  const env = tokenTypeOf(p) === "runner" ? raw("CI_SERVER_TOKEN") : raw("REGISTRATION_TOKEN");
  const opts: (string | Command)[] = [
    "--url",
    p.url,
    "--name",
    name,
    "--executor",
    "docker",
    "--docker-image",
    p.image,
    `--docker-privileged=${p.privileged ?? false}`,
  ];
  for (const v of p.volumes ?? []) opts.push("--docker-volumes", v);
  if (p.tagList?.length) opts.push("--tag-list", p.tagList.join(","));
  if (p.runUntagged !== undefined) opts.push(`--run-untagged=${p.runUntagged}`);
  if (p.locked !== undefined) opts.push(`--locked=${p.locked}`);
  const words = opts.map((o) => (typeof o === "string" ? sh`${o}` : o).text).join(" ");
  const concurrency = p.concurrency === undefined ? raw("") : sh` && ${setConcurrent(configFile, p.concurrency)}`;
  return {
    text: sh`IFS= read -r bosun_token || [ -n "$bosun_token" ]; ${env}=$bosun_token; export ${env}; unset bosun_token; gitlab-runner register --non-interactive --config ${configFile} ${raw(words)} </dev/null${concurrency}`
      .text,
    stdin: secret(`${typeof p.token === "string" ? p.token : p.token.reveal()}\n`),
    label: `gitlab-runner register --name ${name} --url ${p.url} (token via environment)`,
  };
}

/** One line edit and what it does. */
interface Edit {
  readonly command: Command;
  readonly before: string;
  readonly after: string;
  readonly words: string;
}

/** Edits that bring an existing runner's image and privileged flag in line. */
function driftEdits(host: TaskHost, target: { r: RunnerEntry; p: GitlabRunnerRegisterParams; configFile: string }): Edit[] {
  const { r, p, configFile } = target;
  const name = r.name?.value ?? "";
  if (!r.docker) {
    throw host.fail(
      `Cannot use runner ${name}: it is registered with executor ${r.executor?.value ?? "unknown"}, not docker`,
      `unregister it (gitlab-runner unregister --name ${name}) to register it again with the docker executor`,
    );
  }
  const docker = r.docker;
  const wanted: [key: "image" | "privileged", value: string | boolean][] = [
    ["image", p.image],
    ["privileged", p.privileged ?? false],
  ];
  return wanted.flatMap(([key, value]): Edit[] => {
    const have = r[key];
    if (have?.value === value) return [];
    const after = tomlLine(have?.text ?? `${/^\s*/.exec(docker.text)?.[0] ?? ""}  `, key, value);
    const command = have
      ? replaceLine(configFile, have, after)
      : insertAfter(configFile, { line: docker.line, expected: docker.text, text: after });
    return [{ command, before: have?.text ?? "", after, words: `${key} ${have?.value ?? "unset"} → ${value}` }];
  });
}

/** Parameters for {@link gitlabRunnerRegister}. */
export const gitlabRunnerRegisterParams = taskParams({
  url: required(nonEmpty, "The GitLab instance, e.g. `https://gitlab.example.com`."),
  token: required(
    secretString,
    "A runner authentication token (`glrt-...`, created in GitLab) or a legacy registration token; sent through the environment, never argv.",
  ),
  tokenType: optional(
    oneOf("runner", "registration"),
    "Which kind `token` is (default: `runner` when it starts with `glrt-`, else `registration`).",
  ),
  name: optional(nonEmpty, "The runner's name in config.toml and GitLab (default: the inventory host name)."),
  image: required(nonEmpty, "Default image of the docker executor, e.g. `docker:27`."),
  privileged: optional(bool, "Run job containers privileged (needed for docker-in-docker)."),
  volumes: optional(list(nonEmpty), "Extra volumes of job containers, e.g. `/certs/client` for docker-in-docker with TLS."),
  tagList: optional(
    list(nonEmpty),
    "Runner tags, `--tag-list` (registration tokens only; a runner token's tags are set in GitLab). Not `tags`: that common option selects tasks for `--tags`.",
  ),
  runUntagged: optional(bool, "Also pick untagged jobs (registration tokens only)."),
  locked: optional(bool, "Lock the runner to its project (registration tokens only)."),
  concurrency: optional(int, "Jobs run at once on this host: config.toml's global `concurrent`."),
  configFile: optional(absPath, { description: "config.toml (gitlab-runner's as root).", default: "/etc/gitlab-runner/config.toml" }),
});
/** Parameters for {@link gitlabRunnerRegister}. */
export type GitlabRunnerRegisterParams = Static<typeof gitlabRunnerRegisterParams>;

/**
 * Register a GitLab runner with the docker executor, once: `gitlab-runner register
 * --non-interactive` with the token in `CI_SERVER_TOKEN` / `REGISTRATION_TOKEN` (read from stdin
 * by the shell, so it is in no argv and no file). Idempotent by reading config.toml: a runner with
 * the same name and URL means registered (never twice); its image, privileged flag and the global
 * `concurrent` are corrected by editing just those lines. Tags, locked and run-untagged live in
 * GitLab and apply at registration only. One command to check, one to apply.
 * @example gitlabRunnerRegister({ url: "https://gitlab.example.com", token: secret(env.RUNNER_TOKEN), image: "docker:27", privileged: true, concurrency: 4 })
 * @example gitlabRunnerRegister({ url: "https://gitlab.example.com", token: secret(env.REGISTRATION_TOKEN), name: "vds1", image: "docker:27", tagList: ["vds1", "docker"], runUntagged: false })
 */
export const gitlabRunnerRegister = defineTask<GitlabRunnerRegisterParams, GitlabRunnerRegisterOutput>({
  id: "ci.gitlabRunnerRegister",
  description: "A GitLab runner (docker executor) is registered once; idempotent by reading config.toml; token never in argv.",
  title: (p) => `gitlab runner ${p.name ? `${p.name} ` : ""}registered at ${p.url}`,
  schema: gitlabRunnerRegisterParams,
  validate: paramsProblem,
  async check(host, p) {
    secret(p.token);
    const configFile = p.configFile ?? DEFAULT_CONFIG;
    const name = p.name ?? host.name;
    const st = await host.fact(gitlabRunnerConfig, configFile);
    if (st.file === "other" || st.file === "unreadable") {
      throw host.fail(
        `Cannot read ${configFile}: ${st.file === "other" ? "it is not a regular file" : "permission denied"}`,
        st.file === "unreadable" ? "run the task with sudo: true" : undefined,
      );
    }
    const needs: Prerequisite[] = st.installed
      ? []
      : [
          {
            doing: `Cannot register runner ${name}`,
            missing: "gitlab-runner is not installed",
            hint: "run gitlabRunner() before gitlabRunnerRegister()",
          },
        ];
    const url = p.url.replace(/\/+$/, "");
    const mine = st.runners.find((r) => r.name?.value === name && r.url?.value.replace(/\/+$/, "") === url);
    const output = { registered: false, name };
    if (!mine) {
      const steps = [registerCommand(p, name, configFile)];
      const message = `register runner ${name} at ${url} (docker, ${p.image}${p.privileged ? ", privileged" : ""})`;
      return changed(steps, {
        message,
        needs,
        diff: { label: configFile, before: undefined, after: `[[runners]] name = "${name}" url = "${url}"\n` },
        output: { registered: true, name },
      });
    }
    const edits = driftEdits(host, { r: mine, p, configFile });
    if (p.concurrency !== undefined && st.concurrent?.value !== p.concurrency) {
      const after = tomlLine(st.concurrent?.text, "concurrent", p.concurrency);
      const command = st.concurrent ? replaceLine(configFile, st.concurrent, after) : setConcurrent(configFile, p.concurrency);
      edits.push({
        command,
        before: st.concurrent?.text ?? "",
        after,
        words: `concurrent ${st.concurrent?.value ?? "unset"} → ${p.concurrency}`,
      });
    }
    if (!edits.length) return unchanged(`runner ${name} is registered at ${url}`, output);
    const lines = (k: "before" | "after") =>
      edits
        .map((e) => e[k])
        .filter(Boolean)
        .map((l) => `${l.trim()}\n`)
        .join("");
    return changed(
      edits.map((e) => e.command),
      {
        message: `runner ${name}: ${edits.map((e) => e.words).join(", ")}`,
        diff: { label: configFile, before: lines("before"), after: lines("after") },
        output,
      },
    );
  },
});
