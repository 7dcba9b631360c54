/**
 * Role `base`: what every host gets first. Fresh apt lists (within a validity window), a list of
 * basic packages, the time zone, and unattended security upgrades run by apt's own timers.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import { defineRole } from "../../lib/run/role.js";
import { apt } from "../../lib/tasks/packages/index.js";
import { service } from "../../lib/tasks/services/index.js";
import { timezone } from "../../lib/tasks/system/index.js";
import { templateFile } from "../../lib/tasks/files/index.js";

const TEMPLATES = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates");

/** Packages every host gets unless `packages` says otherwise. */
export const BASE_PACKAGES = ["ca-certificates", "curl", "gnupg"] as const;

/** What unattended-upgrades may do on its own. */
export interface UnattendedUpgradesOptions {
  /** Reboot when an upgrade needs it (/var/run/reboot-required), at `rebootTime` (default false). */
  readonly autoReboot?: boolean;
  /** When to reboot, `HH:MM` or `now` (default "03:30"). */
  readonly rebootTime?: string;
  /** Remove dependencies that upgrades left unused (default true). */
  readonly removeUnused?: boolean;
}

/** Inputs of the {@link baseRole}; every field has a default ({@link BASE_ROLE_DEFAULTS}). */
export interface BaseRoleInput {
  /** The packages to install (default {@link BASE_PACKAGES}). */
  readonly packages?: readonly string[];
  /** More packages on top of `packages`. */
  readonly extraPackages?: readonly string[];
  /** IANA time zone (default `Etc/UTC`). */
  readonly timezone?: string;
  /** How long apt's lists stay valid before they are refreshed, in seconds (default 3600). */
  readonly cacheValidSeconds?: number;
  /** Unattended upgrades: true (default), false (installed but switched off), or options. */
  readonly unattendedUpgrades?: boolean | UnattendedUpgradesOptions;
}

/** The defaults of {@link BaseRoleInput}. */
export const BASE_ROLE_DEFAULTS = {
  packages: BASE_PACKAGES as readonly string[],
  extraPackages: [] as readonly string[],
  timezone: "Etc/UTC",
  cacheValidSeconds: 3600,
  unattendedUpgrades: true as boolean | UnattendedUpgradesOptions,
};

/** The settings the templates receive. */
export function baseTemplateVars(options: BaseRoleInput): Record<string, unknown> {
  const uu = options.unattendedUpgrades ?? true;
  const on = uu !== false;
  const opts = typeof uu === "object" ? uu : {};
  return {
    updateListsDays: on ? "1" : "0",
    unattendedUpgradeDays: on ? "1" : "0",
    autocleanDays: "7",
    autoReboot: opts.autoReboot ?? false,
    rebootTime: opts.rebootTime ?? "03:30",
    removeUnused: opts.removeUnused ?? true,
  };
}

/**
 * Bring a host to the common base: apt lists refreshed when older than `cacheValidSeconds`, the
 * packages (and unattended-upgrades) installed, the time zone set, `/etc/apt/apt.conf.d/20auto-upgrades`
 * and `52bosun-unattended-upgrades` written, apt's daily timers enabled and running. Re-running it
 * changes nothing (within the cache window). Returns the task results in order.
 * @example await baseRole(host, { timezone: "Europe/Berlin", extraPackages: ["htop"] })
 */
export const baseRole = defineRole<BaseRoleInput, TaskResult[], typeof BASE_ROLE_DEFAULTS>({
  name: "base",
  description: "Fresh apt lists, basic packages, the time zone and unattended security upgrades.",
  defaults: BASE_ROLE_DEFAULTS,
  async apply(host, options) {
    const vars = baseTemplateVars(options);
    const packages = [...options.packages, ...options.extraPackages, "unattended-upgrades"];
    const results: TaskResult[] = [];
    const run = async <P, O>(call: TaskCall<P, O>): Promise<void> => {
      results.push(await host.run(call));
    };
    await run(apt({ names: [...new Set(packages)], updateCache: true, cacheValidSeconds: options.cacheValidSeconds }));
    await run(timezone({ name: options.timezone }));
    await run(
      templateFile({ src: path.join(TEMPLATES, "20auto-upgrades.hbs"), dest: "/etc/apt/apt.conf.d/20auto-upgrades", mode: "0644", vars }),
    );
    await run(
      templateFile({
        src: path.join(TEMPLATES, "52bosun-unattended-upgrades.hbs"),
        dest: "/etc/apt/apt.conf.d/52bosun-unattended-upgrades",
        mode: "0644",
        vars,
      }),
    );
    for (const timer of ["apt-daily.timer", "apt-daily-upgrade.timer"])
      await run(service({ name: timer, enabled: true, state: "started" }));
    await run(service({ name: "unattended-upgrades", enabled: true, state: "started" }));
    return results;
  },
});
