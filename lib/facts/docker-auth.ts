/**
 * The docker client's stored registry logins (`config.json` of a docker config directory), read
 * in one command and compared on the controller: the stored credential is never printed.
 */
import { defineFact } from "../core/fact.js";
import { raw, sh } from "../core/command.js";
import { base64Section, parseSections, script, section, sectionLines } from "./docker-sections.js";

/** Argument of {@link dockerAuthState}. */
export interface DockerAuthQuery {
  /** Docker config directory; the user's `${DOCKER_CONFIG:-$HOME/.docker}` when omitted. */
  readonly configDir?: string;
}

/** What {@link dockerAuthState} found. */
export interface DockerAuthState {
  /** The config directory, resolved on the host. */
  readonly dir: string;
  /** config.json content, when it is a regular file. */
  readonly config?: string;
  /** Four-digit octal mode of config.json. */
  readonly mode?: string;
  /** Owner of config.json. */
  readonly owner?: string;
}

/** One command that prints the config directory, config.json's mode and owner, and its content (base64). */
export const dockerAuthState = defineFact<DockerAuthQuery, DockerAuthState>({
  id: "docker.authState",
  command: (q) =>
    script(
      q.configDir === undefined ? raw(`d="\${DOCKER_CONFIG:-$HOME/.docker}"`) : sh`d=${q.configDir}`,
      sh`${section("dir")}; printf '%s\\n' "$d"`,
      sh`${section("stat")}; if [ -f "$d/config.json" ]; then stat -c '%a %U' -- "$d/config.json"; fi`,
      sh`${section("config")}; if [ -f "$d/config.json" ]; then printf 'content '; base64 -w0 < "$d/config.json"; echo; else echo absent; fi`,
    ),
  parse: (r) => {
    const s = parseSections(r.stdout);
    const dir = sectionLines(s, "dir")[0];
    if (!dir) throw new Error(`Cannot read the docker config directory: ${r.stderr.trim() || "no output"}`);
    const [mode, owner] = (sectionLines(s, "stat")[0] ?? "").split(" ");
    return { dir, config: base64Section(s, "config"), mode: mode ? mode.padStart(4, "0") : undefined, owner: owner || undefined };
  },
});

/** The key docker stores a login under: Docker Hub's legacy URL, or the registry's host[:port]. */
export function authKey(registry: string): string {
  const host = registry.replace(/^[a-z]+:\/\//i, "").replace(/\/.*$/, "");
  if (["docker.io", "index.docker.io", "registry-1.docker.io", ""].includes(host)) return "https://index.docker.io/v1/";
  return host;
}

/** How a registry's credential is stored in a config.json. */
export type StoredAuth =
  | { readonly kind: "none" }
  | { readonly kind: "auth"; /** base64 of `user:password`. */ readonly auth: string }
  | { readonly kind: "helper"; /** The credential helper or store holding it. */ readonly helper: string };

/** The stored credential of `registry` in config.json text (pure; throws on invalid JSON). */
export function storedAuth(configJson: string | undefined, registry: string): StoredAuth {
  if (configJson === undefined || configJson.trim() === "") return { kind: "none" };
  const config = JSON.parse(configJson) as {
    auths?: Record<string, { auth?: string }>;
    credsStore?: string;
    credHelpers?: Record<string, string>;
  };
  const key = authKey(registry);
  const helper = config.credHelpers?.[key] ?? config.credsStore;
  if (helper) return { kind: "helper", helper };
  for (const [k, v] of Object.entries(config.auths ?? {})) {
    if (authKey(k) === key || k === key) return v.auth ? { kind: "auth", auth: v.auth } : { kind: "none" };
  }
  return { kind: "none" };
}

/** base64 of `user:password`, as `docker login` stores it. */
export function encodeAuth(username: string, password: string): string {
  return Buffer.from(`${username}:${password}`, "utf8").toString("base64");
}
