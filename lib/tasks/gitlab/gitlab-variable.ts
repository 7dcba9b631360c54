/** gitlabVariable: a GitLab project CI/CD variable has this value, masked and protected flags, type and scope. */
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import { taskParams, required, optional, nonEmpty, bool, secretString, oneOf, type Static } from "../../core/params.js";
import { secret } from "../../core/secrets.js";
import { excerpt, jsonRequest, networkError, type JsonResponse } from "../http/request.js";
import { maskedValueProblem } from "./masked-value.js";

/** A project variable as GitLab's API returns it. */
export interface GitlabVariable {
  readonly key: string;
  /** Null for a hidden variable (GitLab 17.4+ never returns its value). */
  readonly value: string | null;
  readonly variable_type: "env_var" | "file";
  readonly protected: boolean;
  readonly masked: boolean;
  readonly raw: boolean;
  readonly environment_scope: string;
  readonly hidden?: boolean;
}

/** What the task did. */
export interface GitlabVariableOutput {
  /** True when the variable was created, false when it existed. */
  readonly created: boolean;
}

/** Parameters for {@link gitlabVariable}. */
export const gitlabVariableParams = taskParams({
  project: required(nonEmpty, "The project: its numeric id or its full path (`group/project`)."),
  key: required(nonEmpty, "The variable's name: letters, digits and `_`, at most 255."),
  value: required(
    secretString,
    "The value; never printed. A masked value must be one line of 8+ characters of A-Z a-z 0-9 + / = @ : . ~ - _.",
  ),
  token: required(
    secretString,
    "A token with the `api` scope and the Maintainer role on the project (a project access token will do); sent as PRIVATE-TOKEN, never printed.",
  ),
  masked: optional(bool, { description: "Mask the value in job logs (GitLab refuses values it cannot mask).", default: true }),
  protected: optional(bool, { description: "Expose the variable only to pipelines of protected branches and tags.", default: true }),
  raw: optional(bool, { description: "Take the value literally: GitLab does not expand `$` in it.", default: true }),
  variableType: optional(oneOf("env_var", "file"), {
    description: "`env_var`, or `file` (the job gets a path to a file holding the value).",
    default: "env_var",
  }),
  environmentScope: optional(nonEmpty, { description: "The environments that see it (`production`, `review/*`).", default: "*" }),
  apiBase: optional(nonEmpty, "API base URL (`https://gitlab.com/api/v4`); point it at your instance, or elsewhere for tests."),
});
/** Parameters for {@link gitlabVariable}. */
export type GitlabVariableParams = Static<typeof gitlabVariableParams>;

function paramsProblem(p: GitlabVariableParams): string | undefined {
  if (!/^\d+$/.test(p.project) && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(p.project))
    return `parameter "project" must be a numeric id or a path "group/project", got ${JSON.stringify(p.project)}`;
  if (!/^[A-Za-z0-9_]{1,255}$/.test(p.key))
    return `parameter "key" must hold only letters, digits and "_" (at most 255), got ${JSON.stringify(p.key)}`;
  if (p.apiBase !== undefined && !/^https?:\/\/\S+$/.test(p.apiBase)) return `parameter "apiBase" must be an http:// or https:// URL`;
  const unmaskable = (p.masked ?? true) ? maskedValueProblem(secret(p.value).reveal()) : undefined;
  if (unmaskable)
    return `parameter "value" of ${p.key} cannot be masked by GitLab: ${unmaskable} (encode it in base64, or set masked: false, e.g. with variableType "file")`;
  return undefined;
}

/** The variable this call asks for. */
function wanted(p: GitlabVariableParams) {
  return {
    variable_type: p.variableType ?? "env_var",
    protected: p.protected ?? true,
    masked: p.masked ?? true,
    raw: p.raw ?? true,
    environment_scope: p.environmentScope ?? "*",
  };
}

/** A GitLab REST client for one project's variables. */
function gitlab(host: TaskHost, p: GitlabVariableParams) {
  const base = `${(p.apiBase ?? "https://gitlab.com/api/v4").replace(/\/+$/, "")}/projects/${encodeURIComponent(p.project)}/variables`;
  const headers = { "private-token": secret(p.token), "user-agent": "bosun" };
  return async <T>(method: string, path: string, json?: unknown): Promise<JsonResponse<T>> => {
    try {
      return await jsonRequest<T>(`${base}${path}`, { method, json, headers, timeoutMs: 30_000 });
    } catch (error) {
      throw host.fail(
        `Cannot call the GitLab API (${method} ${path || "/"}): ${networkError(error)}`,
        "check apiBase and that the controller can reach it",
      );
    }
  };
}

function apiFailure(host: TaskHost, what: string, res: JsonResponse<{ message?: unknown; error?: string }>) {
  const hint =
    res.status === 401 || res.status === 403
      ? "check the token: it needs the api scope and the Maintainer role on the project"
      : res.status === 404
        ? "check the project (id or path) and that the token's user can see it"
        : undefined;
  const said = res.json?.message ?? res.json?.error;
  return host.fail(`Cannot ${what}: status ${res.status}: ${said === undefined ? excerpt(res.body) : JSON.stringify(said)}`, hint);
}

/** What differs between the variable GitLab holds and the one asked for (never the value itself). */
function differences(have: GitlabVariable, want: ReturnType<typeof wanted>, value: string): string[] {
  const out: string[] = [];
  if (have.value === null) out.push("value (hidden: GitLab does not return it, so it is set again)");
  else if (have.value !== value) out.push("value");
  for (const k of ["variable_type", "protected", "masked", "raw"] as const)
    if (have[k] !== want[k]) out.push(`${k} ${String(have[k])} → ${String(want[k])}`);
  return out;
}

/**
 * Ensure a GitLab project CI/CD variable, through the project variables API
 * (`/api/v4/projects/:id/variables`) from the controller: GET it (filtered by environment scope),
 * POST when missing, PUT when its value, type, masked, protected or raw flag differs; ok
 * otherwise. GitLab returns variable values to Maintainers, so change is decided by comparing
 * them (a hidden variable's value cannot be read back: it is set on every run). Masked and
 * protected by default; a value GitLab cannot mask is refused before any request.
 * @example gitlabVariable({ project: "acme/cfa", key: "BOSUN_SSH_PRIVATE_KEY_B64", value: secret(keyBase64), token: secret(env.GITLAB_TOKEN) })
 * @example gitlabVariable({ project: "4242", key: "BOSUN_SSH_KNOWN_HOSTS", value: knownHosts, variableType: "file", masked: false, environmentScope: "production", token: secret(env.GITLAB_TOKEN) })
 */
export const gitlabVariable = defineTask<GitlabVariableParams, GitlabVariableOutput>({
  id: "gitlab.variable",
  description: "A GitLab project CI/CD variable has this value, type and flags (masked, protected by default); API, from the controller.",
  title: (p) =>
    `GitLab variable ${p.key} in ${p.project}${p.environmentScope && p.environmentScope !== "*" ? ` (${p.environmentScope})` : ""}`,
  schema: gitlabVariableParams,
  validate: paramsProblem,
  async check(host, p) {
    const value = secret(p.value);
    const want = wanted(p);
    const call = gitlab(host, p);
    const scope = `?filter%5Benvironment_scope%5D=${encodeURIComponent(want.environment_scope)}`;
    const where = `${p.key} in ${p.project} (scope ${want.environment_scope})`;
    const res = await call<GitlabVariable & { message?: unknown }>("GET", `/${p.key}${scope}`);
    if (res.status !== 200 && res.status !== 404) throw apiFailure(host, `read variable ${where}`, res);
    const have = res.status === 200 ? res.json : undefined;
    const diff = have ? differences(have, want, value.reveal()) : [];
    if (have && diff.length === 0) return unchanged(`variable ${where} is set (${flags(want)})`, { created: false });
    const body = { key: p.key, value: value.reveal(), ...want };
    const step = have
      ? { label: `PUT /projects/:id/variables/${p.key} (${flags(want)})`, run: () => call("PUT", `/${p.key}${scope}`, body) }
      : { label: `POST /projects/:id/variables ${p.key} (${flags(want)})`, run: () => call("POST", "", body) };
    return changed<GitlabVariableOutput>(
      [
        {
          label: step.label,
          async run() {
            const r = (await step.run()) as JsonResponse<{ message?: unknown }>;
            if (r.status !== (have ? 200 : 201)) throw apiFailure(host, `${have ? "update" : "create"} variable ${where}`, r);
            return { created: !have };
          },
        },
      ],
      {
        message: have ? `update variable ${where}: ${diff.join(", ")}` : `create variable ${where} (${flags(want)})`,
        output: { created: !have },
      },
    );
  },
});

function flags(w: ReturnType<typeof wanted>): string {
  return [
    w.variable_type,
    w.masked ? "masked" : "not masked",
    w.protected ? "protected" : "not protected",
    w.raw ? "raw" : "expanded",
  ].join(", ");
}
