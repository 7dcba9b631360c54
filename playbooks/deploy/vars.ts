/**
 * The variables of the deploy playbook: read from the inventory (and `-e`, and the playbook's own
 * options), checked against a JSON Schema, defaults filled in. A bad variable fails the host before
 * anything runs on it, with a message naming the variable.
 */
import os from "node:os";
import { BosunError } from "../../lib/core/errors.js";
import { secret, type Secret } from "../../lib/core/secrets.js";
import { validateAgainstSchema } from "../../lib/core/schema.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./abort.js";
import { unsetEnvHint } from "../../lib/core/unset-env.js";
import type { Vars } from "../../lib/inventory/types.js";

/** One readiness gate: a URL requested from the host after `compose up`. */
export interface ReadinessCheck {
  /** The compose service it belongs to (the gate runs when that service is deployed). */
  readonly service: string;
  /** URL as the host reaches it, e.g. `http://127.0.0.1:8080/api/ready`. */
  readonly url: string;
  /** Status code, or codes, that count as ready (200). */
  readonly status?: number | readonly number[];
  /** Seconds to wait at most (60). */
  readonly timeoutSeconds?: number;
  /** Text the body must contain. */
  readonly body?: string;
}

/** `backup`: dump a postgres database of the stack before the release switches. */
export interface BackupSettings {
  /** Compose service running postgres (`postgres`). */
  readonly service: string;
  /** Database to dump. */
  readonly database: string;
  /** Database user `pg_dump` connects as, over the container's local socket (`postgres`). */
  readonly user?: string;
  /** Dumps kept in `<app_dir>/backups` (7). */
  readonly keep?: number;
}

/** `migrator`: a one-off container of the new tag, run before the release switches. */
export interface MigratorSettings {
  /** Compose service of the migrator (usually in a profile, so that `up` never starts it). */
  readonly service: string;
  /** Command and arguments; the image's own when omitted. */
  readonly command?: readonly string[];
  /** Extra environment for the run (plain values only; secrets belong in `.env`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `upstreams`: a service nginx fronts, replaced by start beside, gate, switch, drain (see swap.ts). */
export interface UpstreamSettings {
  /** The compose service (it must not publish a fixed host port). */
  readonly service: string;
  /** The container port nginx proxies to. */
  readonly port: number;
  /** nginx upstream name; the site proxies to `http://<upstream>` (tls_sites' `upstream`). */
  readonly upstream: string;
  /** Seconds the old container keeps running after the switch (`drain_seconds` when unset). */
  readonly drainSeconds?: number;
}

/** What the deploy works with, typed and with defaults. */
export interface DeploySettings {
  /** Directory of the compose bundle on the host (`app_dir`). */
  readonly appDir: string;
  /** Compose files, relative to appDir (`compose_files`, default `[compose.yaml]`). */
  readonly composeFiles: readonly string[];
  /** Compose project name (`project_name`, default: the last part of app_dir). */
  readonly projectName: string;
  /** Registry host[:port] to log in to (`registry`, default: the first part of registry_image). */
  readonly registry: string;
  /** `REGISTRY_IMAGE` written to deploy.env (`registry_image`). */
  readonly registryImage: string;
  /** Full image references per variable, written to deploy.env as `NAME=<repository>:<tag>` (`image_variables: { APP_IMAGE: registry.example.com/acme/app }`). */
  readonly imageVariables: Readonly<Record<string, string>>;
  /** Registry user (`registry_user`); no login when unset. */
  readonly registryUser?: string;
  /** Registry password (`registry_password`, e.g. `!env CI_REGISTRY_PASSWORD`). */
  readonly registryPassword?: Secret;
  /** Long-lived env files of the bundle, read in order before deploy.env (`env_files`, default `[.env]`). */
  readonly envFiles: readonly string[];
  /** Readiness gates (`readiness`). */
  readonly readiness: readonly ReadinessCheck[];
  /** Services nginx fronts: replaced without a failed request (`upstreams`). */
  readonly upstreams: readonly UpstreamSettings[];
  /** Seconds an old container drains after the switch (`drain_seconds`, 10). */
  readonly drainSeconds: number;
  /** Seconds every service must stay up, without a restart, after the switch (`settle_seconds`, 5). */
  readonly settleSeconds: number;
  /** Registry login and pull retries (`registry_retries: { attempts, base_seconds, max_seconds }`). */
  readonly registryRetries: RetryPolicy;
  /** Database backup before a release switches (`backup`). */
  readonly backup?: BackupSettings;
  /** Migrator run before a release switches (`migrator`). */
  readonly migrator?: MigratorSettings;
  /** Newest image tags kept per repository of the bundle (`keep_images`, 3). */
  readonly keepImages: number;
  /** Records kept in the release history (`history_keep`, 100). */
  readonly historyKeep: number;
  /** Seconds a deploy waits for another one's lock (`lock_wait`, 300). */
  readonly lockWait: number;
  /** Minutes after which `--break-lock` may break a lock (`lock_stale_minutes`, 30). */
  readonly lockStaleMinutes: number;
  /** Who deploys, for the lock and the history (`deployer`, default `user@controller`). */
  readonly deployer: string;
  /** `--tag`. */
  readonly tag?: string;
  /** `--rollback`. */
  readonly rollback: boolean;
  /** `--promote-from`: inventory name or path. */
  readonly promoteFrom?: string;
  /** `--services`, split. */
  readonly services?: readonly string[];
  /** `--sha`: the git commit of the release. */
  readonly sha?: string;
  /** `--break-lock`. */
  readonly breakLock: boolean;
}

export { DEPLOY_VARS_SCHEMA, TAG_PATTERN } from "./vars-schema.js";
import { DEPLOY_VARS_SCHEMA } from "./vars-schema.js";

/** The defaults of {@link DeploySettings}. */
export const DEPLOY_DEFAULTS = {
  composeFiles: ["compose.yaml"] as readonly string[],
  keepImages: 3,
  historyKeep: 100,
  lockWait: 300,
  lockStaleMinutes: 30,
  backupUser: "postgres",
  backupKeep: 7,
  readinessTimeoutSeconds: 60,
  envFiles: [".env"] as readonly string[],
  drainSeconds: 10,
  settleSeconds: 5,
} as const;

/** The env file deploy writes (only this one); `.env` is long-lived and never touched. */
export const DEPLOY_ENV = "deploy.env";
/** The long-lived env file of the bundle. */
export const LONG_LIVED_ENV = ".env";

function truthy(value: unknown): boolean {
  return value === true || (typeof value === "string" && /^(true|yes|on|1)$/i.test(value));
}

/** Who deploys when `deployer` is not set: `user@controller-host`. */
export function defaultDeployer(): string {
  let user = "unknown";
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return `${user}@${os.hostname()}`;
}

const NUMBERS = ["keep_images", "history_keep", "lock_wait", "lock_stale_minutes", "drain_seconds", "settle_seconds"] as const;

/** `-e lock_wait=60` gives a string: whole numbers written as text become numbers. */
function coerceNumbers(vars: Vars): Vars {
  const out: Vars = { ...vars };
  for (const k of NUMBERS) if (typeof out[k] === "string" && /^\d+$/.test(out[k] as string)) out[k] = Number(out[k]);
  return out;
}

function retryPolicy(v: Record<string, number> | undefined): RetryPolicy {
  return {
    attempts: v?.attempts ?? DEFAULT_RETRY.attempts,
    baseSeconds: v?.base_seconds ?? DEFAULT_RETRY.baseSeconds,
    maxSeconds: v?.max_seconds ?? DEFAULT_RETRY.maxSeconds,
  };
}

/** Check the deploy variables and fill in defaults; throws a BosunError naming the bad variable. */
export function deploySettings(input: Vars, host?: string): DeploySettings {
  const vars = coerceNumbers(input);
  const problem = validateAgainstSchema(DEPLOY_VARS_SCHEMA, vars);
  if (problem) {
    throw new BosunError(`Cannot deploy: ${problem.replace(/parameter/g, "variable")}`, {
      host,
      hint: unsetEnvHint(problem) ?? "set it in the inventory (see inventory/cfa2.yml) or with -e",
    });
  }
  const v = vars as Record<string, unknown>;
  const appDir = (v.app_dir as string).replace(/\/+$/, "");
  const registryImage = v.registry_image as string;
  const password = v.registry_password as string | Secret | undefined;
  const backup = v.backup as BackupSettings | undefined;
  const settings: DeploySettings = {
    appDir,
    composeFiles: (v.compose_files as string[] | undefined) ?? DEPLOY_DEFAULTS.composeFiles,
    projectName:
      (v.project_name as string | undefined) ??
      appDir
        .split("/")
        .pop()!
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, "-"),
    registry: (v.registry as string | undefined) ?? registryImage.split("/")[0]!,
    registryImage,
    imageVariables: (v.image_variables as Record<string, string> | undefined) ?? {},
    ...(v.registry_user === undefined ? {} : { registryUser: v.registry_user as string }),
    ...(password === undefined || password === "" ? {} : { registryPassword: secret(password) }),
    envFiles: (v.env_files as string[] | undefined) ?? DEPLOY_DEFAULTS.envFiles,
    readiness: (v.readiness as ReadinessCheck[] | undefined) ?? [],
    upstreams: ((v.upstreams as Record<string, unknown>[] | undefined) ?? []).map((u) => ({
      service: u.service as string,
      port: u.port as number,
      upstream: u.upstream as string,
      ...(u.drain_seconds === undefined ? {} : { drainSeconds: u.drain_seconds as number }),
    })),
    drainSeconds: (v.drain_seconds as number | undefined) ?? DEPLOY_DEFAULTS.drainSeconds,
    settleSeconds: (v.settle_seconds as number | undefined) ?? DEPLOY_DEFAULTS.settleSeconds,
    registryRetries: retryPolicy(v.registry_retries as Record<string, number> | undefined),
    ...(backup ? { backup: { user: DEPLOY_DEFAULTS.backupUser, keep: DEPLOY_DEFAULTS.backupKeep, ...backup } } : {}),
    ...(v.migrator ? { migrator: v.migrator as MigratorSettings } : {}),
    keepImages: (v.keep_images as number | undefined) ?? DEPLOY_DEFAULTS.keepImages,
    historyKeep: (v.history_keep as number | undefined) ?? DEPLOY_DEFAULTS.historyKeep,
    lockWait: (v.lock_wait as number | undefined) ?? DEPLOY_DEFAULTS.lockWait,
    lockStaleMinutes: (v.lock_stale_minutes as number | undefined) ?? DEPLOY_DEFAULTS.lockStaleMinutes,
    deployer: (v.deployer as string | undefined) ?? defaultDeployer(),
    ...(v.tag === undefined ? {} : { tag: v.tag as string }),
    rollback: truthy(v.rollback),
    ...(v["promote-from"] === undefined ? {} : { promoteFrom: v["promote-from"] as string }),
    ...(v.services === undefined ? {} : { services: (v.services as string).split(",") }),
    ...(v.sha === undefined ? {} : { sha: (v.sha as string).toLowerCase() }),
    breakLock: truthy(v["break-lock"]),
  };
  const modes = [
    settings.tag !== undefined && "--tag",
    settings.rollback && "--rollback",
    settings.promoteFrom !== undefined && "--promote-from",
  ].filter(Boolean);
  if (modes.length !== 1) {
    throw new BosunError(modes.length ? `Cannot deploy: ${modes.join(" and ")} exclude each other` : "Cannot deploy: no release given", {
      host,
      hint: "give exactly one of --tag sha-abc123, --rollback or --promote-from <inventory>",
    });
  }
  if (settings.registryUser !== undefined && settings.registryPassword === undefined) {
    throw new BosunError(`Cannot deploy: registry_user is set but registry_password is not`, {
      host,
      hint: "set registry_password: !env CI_REGISTRY_PASSWORD in the inventory (and export it)",
    });
  }
  return settings;
}

/** The compose project of the bundle as the docker tasks take it. */
export function composeProject(
  s: DeploySettings,
  pinned = false,
): { projectDir: string; files: string[]; envFiles: string[]; projectName: string } {
  const files = [...s.composeFiles, ...(pinned ? [PIN_FILE] : [])];
  return { projectDir: s.appDir, files, envFiles: [...s.envFiles, DEPLOY_ENV], projectName: s.projectName };
}

/** The compose override of the release's digests (written by the deploy after the pull). */
export const PIN_FILE = "deploy.images.yaml";

/** The fronted services a deploy of `services` replaces by start beside, gate, switch, drain. */
export function upstreamsFor(s: DeploySettings, services: readonly string[] | undefined): readonly UpstreamSettings[] {
  return services ? s.upstreams.filter((u) => services.includes(u.service)) : s.upstreams;
}

/** The readiness gates that apply to a deploy of `services` (all when undefined). */
export function gatesFor(s: DeploySettings, services: readonly string[] | undefined): readonly ReadinessCheck[] {
  return services ? s.readiness.filter((r) => services.includes(r.service)) : s.readiness;
}
