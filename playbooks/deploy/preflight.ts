/**
 * Preflight: everything the deploy needs to know about the host, in ONE read-only command —
 * docker and compose work for this user, the bundle is there and valid, the current deploy.env,
 * the release history, the deploy lock, and which images follow `${TAG}`.
 */
import { defineFact } from "../../lib/core/fact.js";
import { defineTask, unchanged } from "../../lib/core/task.js";
import { raw, sh, type Command } from "../../lib/core/command.js";
import { params, absPath, list, nonEmpty } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { base64Section, parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { HISTORY_FILE, parseHistory, type ReleaseRecord } from "./history.js";
import { LOCK_FILE, parseHeldLock, type HeldLock } from "./lock.js";
import { DEPLOY_ENV, LONG_LIVED_ENV, PIN_FILE } from "./vars.js";

/** The tag preflight interpolates `${TAG}` with, to find the images that follow it. */
export const PROBE_TAG = "bosun-preflight-probe";

/** What preflight asks about. */
export interface DeployProbe {
  /** App dir. */
  readonly appDir: string;
  /** Compose files (relative to appDir). */
  readonly files: readonly string[];
  /** Compose project name. */
  readonly projectName: string;
  /** REGISTRY_IMAGE to validate the bundle with. */
  readonly registryImage: string;
  /** Long-lived env files ([.env]). */
  readonly envFiles?: readonly string[];
  /** History records to read (the newest). */
  readonly historyLines?: number;
}

/** What preflight found. */
export interface DeployState {
  /** Login user on the host. */
  readonly user: string;
  /** Docker server version, or undefined with `dockerError`. */
  readonly docker?: string;
  readonly dockerError?: string;
  /** Compose version, or undefined with `composeError`. */
  readonly compose?: string;
  readonly composeError?: string;
  /** Whether the app dir exists. */
  readonly appDirExists: boolean;
  /** Bundle files missing in the app dir (compose files and `.env`). */
  readonly missing: readonly string[];
  /** compose's complaint when the bundle does not validate (`config`), if it was checked. */
  readonly configError?: string;
  /** Current deploy.env text; undefined when absent. */
  readonly deployEnv?: string;
  /** Current deploy.images.yaml text (the live release's digests); undefined when absent. */
  readonly pinFile?: string;
  /** Release history, oldest first. */
  readonly history: readonly ReleaseRecord[];
  /** The deploy lock, when held. */
  readonly lock?: HeldLock;
  /** nginx is installed (its conf.d exists): fronted services can be switched. */
  readonly nginx: boolean;
  /** Fixed host ports each service publishes (`published` of compose's config). */
  readonly publishedPorts: Readonly<Record<string, readonly string[]>>;
  /** Image repositories (without tag) that follow `${TAG}`, e.g. `registry.example.com/cfa/api`. */
  readonly taggedRepositories: readonly string[];
}

/** `KEY=value` pairs of an env file (comments and blank lines skipped, no quote handling). */
export function parseEnvFile(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? "").split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function part(name: string, body: Command): Command {
  return sh`echo @@bosun:${raw(name)}; { ${body}
} 2>&1; rc=$?; echo @@bosun:${raw(name)}-exit; echo "$rc"`;
}

/** The preflight probe: one command, sections parsed by {@link parseDeployState}. */
export const deployState = defineFact<DeployProbe, DeployState>({
  id: "deploy.state",
  command(q) {
    const envFiles = q.envFiles ?? [LONG_LIVED_ENV];
    const compose = sh`docker compose -p ${q.projectName} ${q.files.flatMap((f) => ["-f", f])} ${envFiles.flatMap((e) => ["--env-file", e])}`;
    const files = [...q.files, ...envFiles];
    return {
      ...sh`${part("user", sh`id -un`)}
${part("docker", sh`docker version --format '{{.Server.Version}}'`)}
${part("compose", sh`docker compose version --short`)}
if cd -- ${q.appDir} 2>/dev/null; then
echo @@bosun:appdir
echo @@bosun:missing; for f in ${files}; do [ -f "$f" ] || printf '%s\\n' "$f"; done
echo @@bosun:deployenv; if [ -f ${DEPLOY_ENV} ]; then echo "content $(base64 -w0 -- ${DEPLOY_ENV})"; else echo absent; fi
echo @@bosun:pinfile; if [ -f ${PIN_FILE} ]; then echo "content $(base64 -w0 -- ${PIN_FILE})"; else echo absent; fi
echo @@bosun:history; tail -n ${q.historyLines ?? 500} -- ${HISTORY_FILE} 2>/dev/null
echo @@bosun:lock; f=${LOCK_FILE}; if [ -d "$f" ]; then echo legacy; cat -- "$f/owner" 2>/dev/null; echo; echo "age=$(( $(date +%s) - $(stat -c %Y -- "$f") ))"; elif [ -s "$f" ] && ! flock -n "$f" true 2>/dev/null; then cat -- "$f"; echo; echo "age=$(( $(date +%s) - $(stat -c %Y -- "$f") ))"; fi
echo @@bosun:nginx; if [ -d /etc/nginx/conf.d ] && command -v nginx >/dev/null 2>&1; then echo present; fi
echo @@bosun:published; REGISTRY_IMAGE=${q.registryImage} TAG=${PROBE_TAG} ${compose} config --format json 2>/dev/null | tr -d '\n'; echo
${part("images", sh`REGISTRY_IMAGE=${q.registryImage} TAG=${PROBE_TAG} ${compose} --profile '*' config --images`)}
fi`,
      label: `preflight ${q.appDir}`,
    };
  },
  parse: (r) => parseDeployState(r),
});

function exitOf(s: Map<string, string[]>, name: string): number | undefined {
  const line = sectionLines(s, `${name}-exit`)[0];
  return line === undefined ? undefined : Number(line);
}

/** Fixed host ports per service from `compose config --format json` (pure; {} when unreadable). */
export function publishedPorts(json: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  try {
    const config = JSON.parse(json) as { services?: Record<string, { ports?: { published?: string | number }[] }> };
    for (const [name, svc] of Object.entries(config.services ?? {})) {
      const fixed = (svc.ports ?? []).map((p) => String(p.published ?? "")).filter((p) => p !== "" && p !== "0");
      if (fixed.length) out[name] = fixed;
    }
  } catch {
    // compose rejected the bundle: the images section says why.
  }
  return out;
}

/** Parse the preflight output (pure). */
export function parseDeployState(r: Pick<ExecResult, "stdout">): DeployState {
  const s = parseSections(r.stdout);
  const text = (name: string) => sectionLines(s, name).join("\n").trim();
  const ok = (name: string) => exitOf(s, name) === 0;
  const appDirExists = s.has("appdir");
  const deployEnv = appDirExists ? base64Section(s, "deployenv") : undefined;
  const pinFile = appDirExists ? base64Section(s, "pinfile") : undefined;
  const lockLines = sectionLines(s, "lock");
  const images = sectionLines(s, "images");
  const configOk = ok("images");
  const suffix = `:${PROBE_TAG}`;
  return {
    user: text("user"),
    ...(ok("docker") ? { docker: text("docker") } : { dockerError: text("docker") || "no answer" }),
    ...(ok("compose") ? { compose: text("compose") } : { composeError: text("compose") || "no answer" }),
    appDirExists,
    missing: appDirExists ? sectionLines(s, "missing").filter(Boolean) : [],
    ...(appDirExists && !configOk && s.has("images") ? { configError: images.join("\n").trim() } : {}),
    ...(deployEnv === undefined ? {} : { deployEnv }),
    ...(pinFile === undefined ? {} : { pinFile }),
    history: parseHistory(sectionLines(s, "history")),
    ...(lockLines.some((l) => l.startsWith("age=")) ? { lock: parseHeldLock(lockLines, lockLines[0] === "legacy") } : {}),
    nginx: sectionLines(s, "nginx")[0] === "present",
    publishedPorts: publishedPorts(sectionLines(s, "published").join("")),
    taggedRepositories: configOk
      ? [...new Set(images.filter((i) => i.endsWith(suffix)).map((i) => i.slice(0, -suffix.length)))].sort()
      : [],
  };
}

/** Parameters for {@link deployPreflight}. */
export interface DeployPreflightParams extends DeployProbe {
  /** Services nginx fronts: they must not publish a fixed host port. */
  readonly upstreamServices?: readonly string[];
  /** How to get the bundle onto the host, for the hint (e.g. `tsx playbooks/bootstrap.ts --inventory cfa2`). */
  readonly bootstrapHint?: string;
}

const BOOTSTRAP =
  "run `tsx playbooks/bootstrap.ts --inventory <this inventory>` first (deploy user in the docker group, docker, compose v2, the app bundle)";

/**
 * Check that the host can take a deploy: docker and compose v2 work for the login user, the app
 * dir holds the compose files and `.env`, and `docker compose config` accepts the bundle. Returns
 * what the deploy needs (deploy.env, history, lock, tagged repositories). Read-only: ONE command,
 * in check mode too; fails with a hint to run the bootstrap playbook.
 * @example const state = (await host.run(deployPreflight({ appDir: "/srv/cfa", files: ["compose.yaml"], projectName: "cfa", registryImage: "registry.example.com/cfa" }))).output
 */
export const deployPreflight = defineTask<DeployPreflightParams, DeployState>({
  id: "deploy.preflight",
  description: "Check docker, compose and the app bundle on the host; read deploy.env, the release history and the deploy lock.",
  title: (p) => `preflight ${p.appDir}`,
  schema: params(
    { appDir: absPath, files: list(nonEmpty), projectName: nonEmpty, registryImage: nonEmpty },
    { historyLines: { type: "integer", minimum: 1 }, bootstrapHint: nonEmpty, envFiles: list(nonEmpty), upstreamServices: list(nonEmpty) },
  ),
  async check(host, p) {
    const st = await host.fact(deployState, p);
    const hint = p.bootstrapHint ?? BOOTSTRAP;
    if (st.docker === undefined)
      throw host.fail(`Cannot deploy: docker does not work for ${st.user || "the login user"}: ${st.dockerError}`, hint);
    if (st.compose === undefined) throw host.fail(`Cannot deploy: docker compose v2 is missing: ${st.composeError}`, hint);
    if (!st.appDirExists) throw host.fail(`Cannot deploy: the app dir ${p.appDir} does not exist (or ${st.user} cannot enter it)`, hint);
    if (st.missing.length) throw host.fail(`Cannot deploy: the bundle in ${p.appDir} lacks ${st.missing.join(", ")}`, hint);
    if (st.configError !== undefined) {
      throw host.fail(
        `Cannot deploy: docker compose rejects the bundle in ${p.appDir}: ${st.configError.split("\n").slice(-5).join("\n")}`,
        "fix the compose files or .env on the host (or in the repo, then run bootstrap)",
      );
    }
    for (const service of p.upstreamServices ?? []) {
      const ports = st.publishedPorts[service];
      if (ports?.length)
        throw host.fail(
          `Cannot deploy: ${service} is fronted by nginx (upstreams) but publishes host port ${ports.join(", ")}: a second container cannot start beside it`,
          `drop its \`ports:\` (nginx reaches the container on the compose network) or publish it without a host port, e.g. "127.0.0.1::8080"`,
        );
    }
    const live = st.history.filter((h) => h.result === "success").pop();
    const lock = st.lock ? "; the deploy lock is held" : "";
    return unchanged(`docker ${st.docker}, compose ${st.compose}, live release ${live?.tag ?? "none"}${lock}`, st);
  },
});
