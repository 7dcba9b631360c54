/** dockerLogin: the docker client holds a login to a registry (password on stdin, config.json 0600). */
import { defineTask, changed, unchanged, type Task, type TaskCall } from "../../core/task.js";
import { raw, sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, matching, nonEmpty, absPath, account, secretString, type Static } from "../../core/params.js";
import { registerSecret, reveal } from "../../core/secrets.js";
import type { TaskOptions } from "../../core/task.js";
import { dockerAuthState, encodeAuth, storedAuth } from "../../facts/docker-auth.js";

const registryPattern = "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?(/[A-Za-z0-9._/-]*)?$";

/** Parameters for {@link dockerLogin}. */
export const dockerLoginParams = taskParams({
  registry: required(
    matching(registryPattern),
    "Registry host[:port], e.g. `registry.gitlab.com` or `registry.lab.test:5000` (`docker.io` for Docker Hub).",
  ),
  username: required(nonEmpty, "User name."),
  password: required(secretString, "Password or token; sent to `docker login --password-stdin` on stdin, never in argv or output."),
  configDir: optional(absPath, "Docker config directory holding config.json; the user's `${DOCKER_CONFIG:-$HOME/.docker}` when omitted."),
  owner: optional(account, "Owner given to the config directory and config.json (e.g. the deploy user when root logs in for it)."),
});
/** Parameters for {@link dockerLogin}. */
export type DockerLoginParams = Static<typeof dockerLoginParams>;

/** The task as defined; {@link dockerLogin} wraps it so that its calls are secret unless told otherwise. */
const definition = defineTask<DockerLoginParams>({
  id: "docker.login",
  description: "Log the docker client in to a registry (password on stdin); unchanged when config.json holds the same credential.",
  title: (p) => `docker login ${p.registry} as ${p.username}`,
  schema: dockerLoginParams,
  validate: (p) => (typeof p.password === "string" && p.password === "" ? `parameter "password" is empty` : undefined),
  async check(host, p) {
    const expected = encodeAuth(p.username, reveal(p.password));
    registerSecret(expected);
    const st = await host.fact(dockerAuthState, { configDir: p.configDir });
    let stored;
    try {
      stored = storedAuth(st.config, p.registry);
    } catch {
      throw host.fail(`Cannot log in to ${p.registry}: ${st.dir}/config.json is not valid JSON`, "fix or remove that file");
    }
    const steps: Command[] = [];
    const dir = p.configDir === undefined ? raw(`"\${DOCKER_CONFIG:-$HOME/.docker}"`) : sh`${p.configDir}`;
    const fixOwner = p.owner !== undefined && st.owner !== undefined && st.owner !== p.owner;
    let why: string | undefined;
    if (stored.kind === "helper") why = `credentials live in helper "${stored.helper}", which bosun cannot compare`;
    else if (stored.kind === "none") why = `no login to ${p.registry} in ${st.dir}/config.json`;
    else if (stored.auth !== expected) why = `the stored login to ${p.registry} differs`;
    if (why) {
      const login = sh`d=${dir}; DOCKER_CONFIG="$d" docker login --username ${p.username} --password-stdin ${p.registry} >/dev/null && chmod 0600 -- "$d/config.json"${p.owner ? sh` && chown -- ${p.owner} "$d" "$d/config.json"` : raw("")}`;
      steps.push({ ...login, stdin: p.password, label: `docker login ${p.registry} as ${p.username} (password on stdin)` });
    } else if (st.mode !== "0600" || fixOwner) {
      why = `${st.dir}/config.json is mode ${st.mode}${fixOwner ? ` owned by ${st.owner}` : ""}`;
      steps.push(sh`d=${dir}; chmod 0600 -- "$d/config.json"${p.owner ? sh` && chown -- ${p.owner} "$d" "$d/config.json"` : raw("")}`);
    }
    if (!steps.length) return unchanged(`logged in to ${p.registry} as ${p.username}`);
    return changed(steps, { message: why });
  },
});

/**
 * Log the docker client in to a registry: `docker login --username U --password-stdin REGISTRY`
 * with the password on stdin. Idempotent: one command reads config.json and the controller
 * compares `auths[registry].auth` with base64(user:password) (the stored credential is never
 * printed); config.json is kept 0600. Its calls are `secret` (no output, no diff) unless
 * `secret: false` is passed.
 * @example dockerLogin({ registry: "registry.gitlab.com", username: "deploy-token", password: secret(process.env.CI_REGISTRY_PASSWORD!) })
 */
export const dockerLogin: Task<DockerLoginParams> = Object.assign(
  (input: DockerLoginParams & TaskOptions): TaskCall<DockerLoginParams, undefined> => {
    const call = definition(input);
    return { ...call, options: { secret: true, ...call.options } };
  },
  { definition: definition.definition },
);
