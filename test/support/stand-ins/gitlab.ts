/**
 * A local stand-in for GitLab's project CI/CD variables API (`/api/v4/projects/:id/variables`),
 * the calls gitlabVariable makes, checking what GitLab checks: the PRIVATE-TOKEN, the project by
 * numeric id or URL-encoded path, the key's alphabet, the masked-value rule (Ci::Maskable: one line,
 * 8+ characters of A-Z a-z 0-9 + / = @ : . ~ - _), a key taken twice in one environment scope, a
 * read of a key held in several scopes without `filter[environment_scope]` (409). Its defaults are
 * GitLab's: a variable created without flags is not protected, not masked, expanded, `env_var`, `*`.
 */
import { startStandIn, type RecordedRequest, type StandIn, type StandInReply } from "./server.js";

/** A variable as the stand-in stores and returns it. */
export interface StoredVariable {
  key: string;
  value: string;
  variable_type: "env_var" | "file";
  protected: boolean;
  masked: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

/** The stand-in and its state. */
export interface GitlabStandIn extends StandIn {
  /** `apiBase` to give the task (`http://127.0.0.1:PORT/api/v4`). */
  readonly apiBase: string;
  /** Variables of each project id. */
  readonly variables: Map<number, StoredVariable[]>;
  /** The variable `key` in `scope` of project `path`. */
  variable(path: string, key: string, scope?: string): StoredVariable | undefined;
}

/** Projects the stand-in knows: full path → numeric id. */
export type GitlabProjects = Readonly<Record<string, number>>;

const MASKABLE = /^[A-Za-z0-9+/=@:.~_-]{8,}$/;
const notFound = (what: string): StandInReply => ({ status: 404, json: { message: `404 ${what} Not Found` } });
const invalid = (field: string, message: string): StandInReply => ({ status: 400, json: { message: { [field]: [message] } } });

/** Start a GitLab stand-in that accepts `token` (Maintainer) on the projects given. */
export async function startGitlabStandIn(token: string, projects: GitlabProjects): Promise<GitlabStandIn> {
  const variables = new Map<number, StoredVariable[]>(Object.values(projects).map((id) => [id, []]));
  const projectId = (raw: string): number | undefined => {
    if (/^\d+$/.test(raw)) return variables.has(Number(raw)) ? Number(raw) : undefined;
    if (raw.includes("/")) return undefined; // GitLab needs the path URL-encoded
    return projects[decodeURIComponent(raw)];
  };
  const checkBody = (body: Record<string, unknown>, key: string): StandInReply | undefined => {
    if (!/^[A-Za-z0-9_]{1,255}$/.test(key)) return invalid("key", "can contain only letters, digits and '_'.");
    if (typeof body.value !== "string") return { status: 400, json: { error: "value is missing" } };
    for (const flag of ["protected", "masked", "raw"])
      if (body[flag] !== undefined && typeof body[flag] !== "boolean") return { status: 400, json: { error: `${flag} is invalid` } };
    if (body.variable_type !== undefined && body.variable_type !== "env_var" && body.variable_type !== "file")
      return { status: 400, json: { error: "variable_type does not have a valid value" } };
    return undefined;
  };
  const handle = (req: RecordedRequest): StandInReply => {
    if (req.headers["private-token"] !== token) return { status: 401, json: { message: "401 Unauthorized" } };
    const url = new URL(req.path, "http://stand-in");
    const m = /^\/api\/v4\/projects\/([^/]+)\/variables(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) return notFound("Endpoint");
    const id = projectId(m[1] ?? "");
    if (id === undefined) return notFound("Project");
    const list = variables.get(id) ?? [];
    const filter = url.searchParams.get("filter[environment_scope]");
    const key = m[2];
    const matching = (k: string) => list.filter((v) => v.key === k && (filter === null || v.environment_scope === filter));
    if (key === undefined && req.method === "GET") return { json: list };
    if (key === undefined && req.method === "POST") {
      const body = (req.json ?? {}) as Record<string, unknown>;
      const k = String(body.key ?? "");
      const problem = checkBody(body, k);
      if (problem) return problem;
      const created: StoredVariable = {
        key: k,
        value: body.value as string,
        variable_type: (body.variable_type as StoredVariable["variable_type"]) ?? "env_var",
        protected: (body.protected as boolean) ?? false,
        masked: (body.masked as boolean) ?? false,
        raw: (body.raw as boolean) ?? false,
        environment_scope: (body.environment_scope as string) ?? "*",
        description: null,
      };
      if (created.masked && !MASKABLE.test(created.value)) return invalid("value", "is invalid");
      if (list.some((v) => v.key === k && v.environment_scope === created.environment_scope))
        return invalid("key", `(${k}) has already been taken`);
      list.push(created);
      return { status: 201, json: created };
    }
    if (key === undefined) return notFound("Endpoint");
    const found = matching(key);
    if (found.length > 1)
      return {
        status: 409,
        json: { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" },
      };
    const current = found[0];
    if (!current) return notFound("Variable");
    if (req.method === "GET") return { json: current };
    if (req.method === "PUT") {
      const body = (req.json ?? {}) as Record<string, unknown>;
      const problem = checkBody({ ...body, value: body.value ?? current.value }, key);
      if (problem) return problem;
      const next: StoredVariable = {
        ...current,
        ...(typeof body.value === "string" ? { value: body.value } : {}),
        ...(body.variable_type !== undefined ? { variable_type: body.variable_type as StoredVariable["variable_type"] } : {}),
        ...(body.protected !== undefined ? { protected: body.protected as boolean } : {}),
        ...(body.masked !== undefined ? { masked: body.masked as boolean } : {}),
        ...(body.raw !== undefined ? { raw: body.raw as boolean } : {}),
        ...(typeof body.environment_scope === "string" ? { environment_scope: body.environment_scope } : {}),
      };
      if (next.masked && !MASKABLE.test(next.value)) return invalid("value", "is invalid");
      Object.assign(current, next);
      return { json: current };
    }
    if (req.method === "DELETE") {
      list.splice(list.indexOf(current), 1);
      return { status: 204, body: "" };
    }
    return notFound("Endpoint");
  };
  const server = await startStandIn(handle);
  return {
    ...server,
    apiBase: `${server.url}/api/v4`,
    variables,
    variable(path, key, scope = "*") {
      const id = projects[path];
      return id === undefined ? undefined : variables.get(id)?.find((v) => v.key === key && v.environment_scope === scope);
    },
  };
}
