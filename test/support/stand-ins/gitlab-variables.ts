/**
 * A local stand-in for GitLab's project CI/CD variables API (`/api/v4/projects/:id/variables`),
 * the calls gitlabVariable makes, checking what GitLab checks: the PRIVATE-TOKEN, the project, the
 * key's characters, a duplicate key, and a masked value's rules (one line without spaces, 8
 * characters or more, ASCII), answering with GitLab's status codes and message shapes.
 */
import { startStandIn, type RecordedRequest, type StandIn, type StandInReply } from "./server.js";

/** A stored variable, as GitLab keeps it. */
export interface StoredVariable {
  readonly key: string;
  readonly value: string;
  readonly masked: boolean;
  readonly protected: boolean;
  readonly variable_type: string;
  readonly environment_scope: string;
  readonly raw: boolean;
}

/** The stand-in and its state. */
export interface GitlabVariablesStandIn extends StandIn {
  /** `apiBase` to give the task. */
  readonly apiBase: string;
  /** Variables by `project/KEY`. */
  readonly variables: Map<string, StoredVariable>;
}

/** GitLab's masking rule for a value. */
export function gitlabCanMask(value: string): boolean {
  return value.length >= 8 && !/\s/.test(value) && /^[\x21-\x7e]+$/.test(value);
}

/** Start a stand-in that accepts `token` for the projects listed (paths such as `acme/cfa`). */
export async function startGitlabVariablesStandIn(token: string, projects: readonly string[]): Promise<GitlabVariablesStandIn> {
  const variables = new Map<string, StoredVariable>();
  const invalid = (field: string, text: string): StandInReply => ({ status: 400, json: { message: { [field]: [text] } } });
  const handle = (req: RecordedRequest): StandInReply => {
    if (req.headers["private-token"] !== token) return { status: 401, json: { message: "401 Unauthorized" } };
    const m = /^\/api\/v4\/projects\/([^/]+)\/variables(?:\/([^/?]+))?(?:\?(.*))?$/.exec(req.path);
    const project = m ? decodeURIComponent(m[1] ?? "") : "";
    if (!m || !projects.includes(project)) return { status: 404, json: { message: "404 Project Not Found" } };
    const key = m[2];
    const body = (req.json ?? {}) as Partial<StoredVariable>;
    const check = (v: StoredVariable): StandInReply | undefined => {
      if (!/^[A-Za-z0-9_]+$/.test(v.key)) return invalid("key", "can contain only letters, digits and '_'.");
      if (v.masked && !gitlabCanMask(v.value)) return invalid("value", "is invalid");
      if (!["env_var", "file"].includes(v.variable_type)) return invalid("variable_type", "is not included in the list");
      return undefined;
    };
    if (req.method === "GET" && key) {
      const v = variables.get(`${project}/${key}`);
      return v ? { json: { ...v, hidden: false, description: null } } : { status: 404, json: { message: "404 Variable Not Found" } };
    }
    if (req.method === "POST" && !key) {
      const v: StoredVariable = {
        key: body.key ?? "",
        value: body.value ?? "",
        masked: body.masked ?? false,
        protected: body.protected ?? false,
        variable_type: body.variable_type ?? "env_var",
        environment_scope: body.environment_scope ?? "*",
        raw: body.raw ?? false,
      };
      if (variables.has(`${project}/${v.key}`)) return invalid("key", `(${v.key}) has already been taken`);
      const bad = check(v);
      if (bad) return bad;
      variables.set(`${project}/${v.key}`, v);
      return { status: 201, json: v };
    }
    if (req.method === "PUT" && key) {
      const old = variables.get(`${project}/${key}`);
      if (!old) return { status: 404, json: { message: "404 Variable Not Found" } };
      const v: StoredVariable = { ...old, ...body, key };
      const bad = check(v);
      if (bad) return bad;
      variables.set(`${project}/${key}`, v);
      return { json: v };
    }
    return { status: 404, json: { message: "404 Not Found" } };
  };
  const server = await startStandIn(handle);
  return { ...server, apiBase: server.url, variables };
}
