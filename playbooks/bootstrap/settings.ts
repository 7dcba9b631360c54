/**
 * The variables of the bootstrap playbook: read from the inventory (and `-e`), checked against a
 * JSON Schema, defaults filled in. A bad variable fails the host before anything runs on it.
 */
import { BosunError } from "../../lib/core/errors.js";
import { validateAgainstSchema } from "../../lib/core/schema.js";
import { unsetEnvHint } from "../../lib/core/unset-env.js";
import type { Vars } from "../../lib/inventory/types.js";
import type { FirewallRolePort } from "../../roles/firewall/index.js";

/** A port the firewall lets in besides SSH, 80 and 443: a number or range (tcp), or a port with protocol, source and comment. */
export type FirewallPort = number | string | FirewallRolePort;

/** What bootstrap works with, typed and with defaults. */
export interface BootstrapSettings {
  /** The account deploys and later runs log in as (`deploy_user`, "deploy"). */
  readonly deployUser: string;
  /** Public keys that may log in as the deploy user (`deploy_authorized_keys`: a key, several lines, or a list). */
  readonly authorizedKeys: readonly string[];
  /** Supplementary groups of the deploy user besides docker (`deploy_user_groups`, []). */
  readonly deployGroups: readonly string[];
  /** IANA time zone (`timezone`, "Etc/UTC"). */
  readonly timezone: string;
  /** Packages on top of the base role's (`base_packages`, []). */
  readonly extraPackages: readonly string[];
  /** The port sshd listens on, allowed before ufw is enabled (`ssh_port`, 22). */
  readonly sshPort: number;
  /** More ports ufw lets in (`firewall_allow_ports`, []). */
  readonly firewallPorts: readonly FirewallPort[];
  /** Keep ufw's rules in front of the ports docker publishes (`firewall_docker_filter`, true). */
  readonly firewallDockerFilter: boolean;
  /** Where docker comes from (`docker_source`): `docker` (Docker's apt repository or a mirror) or `distro`; default by distribution. */
  readonly dockerSource?: "docker" | "distro";
  /** Docker's repository or a mirror of it (`docker_repo_url`). */
  readonly dockerRepoUrl?: string;
  /** The repository's signing key, a URL or the armoured key (`docker_repo_key`). */
  readonly dockerRepoKey?: string;
  /** Offline option: URL of a compose v2 plugin .deb for the distribution's engine (`docker_compose_plugin_deb`; implies docker_source distro). */
  readonly composePluginDeb?: string;
  /** More daemon.json settings, e.g. `insecure-registries` (`docker_daemon_json`). */
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  /** App directory on the host (`app_dir`); no app bundle without it. */
  readonly appDir?: string;
  /** Directory of the compose bundle on the controller, synced into app_dir (`app_bundle_source`). */
  readonly appBundle?: string;
  /** Variables of the bundle's `.env` template, used only when `.env` is created (`app_env`). */
  readonly appEnv?: Vars;
  /** Paths of the bundle (relative to app_bundle_source) that are not synced, besides README.md (`app_bundle_exclude`). */
  readonly appBundleExclude?: readonly string[];
}

const text = { type: "string", minLength: 1 };
const words = { type: "array", items: text };
const portNumber = { type: "integer", minimum: 1, maximum: 65535 };
const portRange = { type: "string", pattern: "^[0-9]+(:[0-9]+)?$" };

/** The JSON Schema of the bootstrap variables (other variables are free). */
export const BOOTSTRAP_VARS_SCHEMA = {
  type: "object",
  required: ["deploy_authorized_keys"],
  properties: {
    deploy_user: { type: "string", pattern: "^[a-z_][a-z0-9_-]{0,31}$" },
    deploy_authorized_keys: { anyOf: [text, { type: "array", items: text, minItems: 1 }] },
    deploy_user_groups: words,
    timezone: text,
    base_packages: words,
    ssh_port: portNumber,
    firewall_allow_ports: {
      type: "array",
      items: {
        anyOf: [
          portNumber,
          portRange,
          {
            type: "object",
            required: ["port"],
            additionalProperties: false,
            properties: { port: { anyOf: [portNumber, portRange] }, proto: { enum: ["tcp", "udp", "any"] }, from: text, comment: text },
          },
        ],
      },
    },
    firewall_docker_filter: { type: "boolean" },
    docker_source: { enum: ["docker", "distro"] },
    docker_repo_url: { type: "string", pattern: "^https?://\\S+$" },
    docker_repo_key: {
      anyOf: [
        { type: "string", pattern: "^https?://\\S+$" },
        { type: "string", pattern: "-----BEGIN PGP PUBLIC KEY BLOCK-----" },
      ],
    },
    docker_compose_plugin_deb: { type: "string", pattern: "^https?://\\S+$" },
    docker_daemon_json: { type: "object" },
    app_dir: { type: "string", pattern: "^/.+" },
    app_bundle_source: text,
    app_env: { type: "object" },
    app_bundle_exclude: words,
  },
} as const;

/** The defaults of {@link BootstrapSettings}. */
export const BOOTSTRAP_DEFAULTS = { deployUser: "deploy", timezone: "Etc/UTC", sshPort: 22 } as const;

/** Split `deploy_authorized_keys` into one key per entry (a `!file` of an authorized_keys file gives several lines). */
export function splitKeys(value: string | readonly string[]): string[] {
  const lines = (typeof value === "string" ? [value] : value).flatMap((v) => v.split("\n"));
  return lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

/** Check the bootstrap variables and fill in defaults; throws a BosunError naming the bad variable. */
export function bootstrapSettings(vars: Vars, host?: string): BootstrapSettings {
  const problem = validateAgainstSchema(BOOTSTRAP_VARS_SCHEMA, vars);
  if (problem) {
    throw new BosunError(`Cannot bootstrap: ${problem.replace(/parameter/g, "variable")}`, {
      host,
      hint: unsetEnvHint(problem) ?? "set it in the inventory (see inventory/vds1.yml) or with -e",
    });
  }
  const v = vars as Record<string, unknown>;
  const authorizedKeys = splitKeys(v.deploy_authorized_keys as string | string[]);
  if (!authorizedKeys.length) {
    throw new BosunError("Cannot bootstrap: deploy_authorized_keys holds no key, so the deploy user could never log in", {
      host,
      hint: "deploy_authorized_keys: !file ~/.ssh/id_ed25519.pub",
    });
  }
  if (v.app_bundle_source !== undefined && v.app_dir === undefined) {
    throw new BosunError("Cannot bootstrap: app_bundle_source is set but app_dir is not", { host, hint: "set app_dir, e.g. /srv/cfa" });
  }
  return {
    deployUser: (v.deploy_user as string | undefined) ?? BOOTSTRAP_DEFAULTS.deployUser,
    authorizedKeys,
    deployGroups: (v.deploy_user_groups as string[] | undefined) ?? [],
    timezone: (v.timezone as string | undefined) ?? BOOTSTRAP_DEFAULTS.timezone,
    extraPackages: (v.base_packages as string[] | undefined) ?? [],
    sshPort: (v.ssh_port as number | undefined) ?? BOOTSTRAP_DEFAULTS.sshPort,
    firewallPorts: (v.firewall_allow_ports as FirewallPort[] | undefined) ?? [],
    firewallDockerFilter: (v.firewall_docker_filter as boolean | undefined) ?? true,
    ...(v.docker_source === undefined ? {} : { dockerSource: v.docker_source as "docker" | "distro" }),
    ...(v.docker_repo_url === undefined ? {} : { dockerRepoUrl: v.docker_repo_url as string }),
    ...(v.docker_repo_key === undefined ? {} : { dockerRepoKey: v.docker_repo_key as string }),
    ...(v.docker_compose_plugin_deb === undefined ? {} : { composePluginDeb: v.docker_compose_plugin_deb as string }),
    ...(v.docker_daemon_json === undefined ? {} : { daemonJson: v.docker_daemon_json as Record<string, unknown> }),
    ...(v.app_dir === undefined ? {} : { appDir: (v.app_dir as string).replace(/\/+$/, "") }),
    ...(v.app_bundle_source === undefined ? {} : { appBundle: v.app_bundle_source as string }),
    ...(v.app_env === undefined ? {} : { appEnv: v.app_env as Vars }),
    ...(v.app_bundle_exclude === undefined ? {} : { appBundleExclude: v.app_bundle_exclude as string[] }),
  };
}
