/**
 * gitlabVariable: a GitLab project CI/CD variable holds this value with these flags (masked,
 * protected, file or env_var), through the project variables API from the controller. GitLab
 * returns a variable's value to a maintainer's token, so the task compares and changes only what
 * differs (idempotent); a variable GitLab hides (masked and hidden) cannot be compared and is set
 * on every run.
 */
import { changed, defineTask, unchanged, type TaskHost } from "../../lib/core/task.js";
import { any, bool, nonEmpty, oneOf, params } from "../../lib/core/params.js";
import { reveal, secret, type Secret } from "../../lib/core/secrets.js";
import { excerpt, jsonRequest, networkError, type JsonResponse } from "../../lib/tasks/http/request.js";

/** Parameters for {@link gitlabVariable}. */
export interface GitlabVariableParams {
  /** Project id or `group/project` path. */
  readonly project: string;
  /** Variable key: letters, digits and `_`. */
  readonly key: string;
  /** The value (a Secret for credentials: never printed). */
  readonly value: string | Secret;
  /** A token with the Maintainer role (api scope). */
  readonly token: string | Secret;
  /** Masked in job logs: GitLab requires one line, 8 characters or more, no spaces. */
  readonly masked?: boolean;
  /** Only for protected branches and tags (default true). */
  readonly protected?: boolean;
  /** `env_var` (default) or `file` (the job gets a path to a file holding the value). */
  readonly variableType?: "env_var" | "file";
  /** Environment scope (default `*`). */
  readonly environmentScope?: string;
  /** API base (`https://gitlab.com`); your GitLab's URL. */
  readonly apiBase?: string;
}

/** The fields the API returns and the task compares. */
interface ApiVariable {
  readonly key: string;
  readonly value?: string | null;
  readonly masked?: boolean;
  readonly protected?: boolean;
  readonly variable_type?: string;
  readonly environment_scope?: string;
  readonly hidden?: boolean;
  readonly message?: unknown;
}

/** GitLab's rule for a masked value (checked before calling, so the error names the variable). */
export function maskProblem(value: string): string | undefined {
  if (value.length < 8) return "is shorter than 8 characters";
  if (/\s/.test(value)) return "holds spaces or line breaks (base64-encode it, e.g. a private key)";
  if (/[^\x21-\x7e]/.test(value)) return "holds characters other than printable ASCII";
  return undefined;
}

function client(host: TaskHost, p: GitlabVariableParams) {
  const base = `${(p.apiBase ?? "https://gitlab.com").replace(/\/+$/, "")}/api/v4/projects/${encodeURIComponent(p.project)}/variables`;
  const headers = { "private-token": secret(p.token), "user-agent": "bosun" };
  return async <T>(method: string, path: string, json?: unknown): Promise<JsonResponse<T>> => {
    try {
      return await jsonRequest<T>(`${base}${path}`, { method, json, headers, timeoutMs: 30_000 });
    } catch (error) {
      throw host.fail(
        `Cannot call the GitLab API (${method} variables${path}): ${networkError(error)}`,
        "check api_base and that the controller can reach it",
      );
    }
  };
}

function apiFailure(host: TaskHost, what: string, res: JsonResponse<{ message?: unknown }>) {
  const hint = [401, 403, 404].includes(res.status)
    ? "check the token: it needs the Maintainer role and the api scope on this project"
    : undefined;
  const message = res.json?.message === undefined ? excerpt(res.body) : JSON.stringify(res.json.message);
  return host.fail(`Cannot ${what}: status ${res.status}: ${message}`, hint);
}

/**
 * Set a GitLab project CI/CD variable (masked, protected, file or env_var), changing only what differs.
 * @example gitlabVariable({ project: "acme/cfa", key: "BOSUN_SSH_PRIVATE_KEY_B64", value: secret(b64), token: secret(env.GITLAB_TOKEN), masked: true })
 */
export const gitlabVariable = defineTask<GitlabVariableParams>({
  id: "gitlab.variable",
  description: "A GitLab project CI/CD variable holds a value with flags (masked, protected, type, scope); only differences are written.",
  title: (p) => `GitLab variable ${p.key} in ${p.project}`,
  schema: params(
    { project: nonEmpty, key: nonEmpty, value: any, token: any },
    { masked: bool, protected: bool, variableType: oneOf("env_var", "file"), environmentScope: nonEmpty, apiBase: nonEmpty },
  ),
  validate(p) {
    if (!/^[A-Za-z0-9_]+$/.test(p.key)) return `parameter "key" must hold only letters, digits and "_", got ${JSON.stringify(p.key)}`;
    const bad = p.masked ? maskProblem(reveal(p.value)) : undefined;
    return bad ? `cannot mask ${p.key}: its value ${bad}` : undefined;
  },
  async check(host, p) {
    const value = secret(p.value);
    const want = {
      value: value.reveal(),
      masked: p.masked ?? false,
      protected: p.protected ?? true,
      variable_type: p.variableType ?? "env_var",
      environment_scope: p.environmentScope ?? "*",
    };
    const call = client(host, p);
    const scope = `?filter%5Benvironment_scope%5D=${encodeURIComponent(want.environment_scope)}`;
    const res = await call<ApiVariable>("GET", `/${p.key}${scope}`);
    if (res.status !== 200 && res.status !== 404) throw apiFailure(host, `read variable ${p.key} of ${p.project}`, res);
    const have = res.status === 200 ? res.json : undefined;
    const readable = have !== undefined && typeof have.value === "string" && !have.hidden;
    const differs = have
      ? [
          ...(readable && have.value === want.value ? [] : [readable ? "value" : "value (hidden: cannot be compared)"]),
          ...(["masked", "protected", "variable_type"] as const).filter((k) => have[k] !== want[k]),
        ]
      : [];
    if (have && differs.length === 0) return unchanged(`${p.key} in ${p.project} is up to date (${flags(want)})`);
    const what = have ? `update ${p.key} in ${p.project} (${differs.join(", ")})` : `create ${p.key} in ${p.project} (${flags(want)})`;
    return changed(
      [
        {
          label: `${have ? "PUT" : "POST"} /projects/${p.project}/variables${have ? `/${p.key}` : ""}`,
          async run() {
            const body = { key: p.key, ...want, raw: true };
            const r = have ? await call<ApiVariable>("PUT", `/${p.key}${scope}`, body) : await call<ApiVariable>("POST", "", body);
            if (r.status !== 200 && r.status !== 201) throw apiFailure(host, what, r);
          },
        },
      ],
      { message: what },
    );
  },
});

function flags(w: { masked: boolean; protected: boolean; variable_type: string }): string {
  return [w.masked ? "masked" : "not masked", w.protected ? "protected" : "not protected", w.variable_type].join(", ");
}
