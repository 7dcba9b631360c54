/** aptUpgrade: every installed package at its newest candidate (`apt-get upgrade` or `dist-upgrade`). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, optional, intIn, bool, oneOf, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import { aptUpgradable, parseAptSummary, upgradeWords, type SimulatedChange } from "../../facts/packages.js";
import { aptGetOptions, aptStep, isExecResult, DEFAULT_LOCK_TIMEOUT } from "./apt-run.js";

/** What {@link aptUpgrade} did (or in check mode would do). */
export interface AptUpgradeOutput {
  /** Packages upgraded or newly installed, with versions. */
  readonly upgraded: readonly SimulatedChange[];
  /** Packages removed (dist mode). */
  readonly removed: readonly string[];
  /** Whether the lists were refreshed. */
  readonly cacheUpdated: boolean;
}

function describe(changes: readonly SimulatedChange[]): string {
  const names = changes.map((c) => (c.action === "remove" ? `-${c.name}` : c.name));
  return names.length > 8 ? `${names.slice(0, 8).join(" ")} and ${names.length - 8} more` : names.join(" ");
}

/** Parameters for {@link aptUpgrade}. */
export const aptUpgradeParams = taskParams({
  mode: optional(oneOf("safe", "dist"), {
    description: "`safe`: `apt-get upgrade --with-new-pkgs`, never removes a package; `dist`: `apt-get dist-upgrade`, may remove.",
    default: "safe",
  }),
  updateCache: optional(bool, "Refresh the package lists first when they are older than `cacheValidSeconds`."),
  cacheValidSeconds: optional(
    intIn({ minimum: 0 }),
    "How long refreshed lists stay valid; without it `updateCache` refreshes on every run.",
  ),
  autoremove: optional(bool, "Also remove packages nobody depends on any more (`apt-get autoremove`)."),
  lockTimeoutSeconds: optional(intIn({ minimum: 0, maximum: 86400 }), {
    description: "Seconds to wait for a dpkg/apt lock another process holds (default 60).",
    default: 60,
  }),
});
/** Parameters for {@link aptUpgrade}. */
export type AptUpgradeParams = Static<typeof aptUpgradeParams>;

/**
 * Upgrade installed packages explicitly, as a task of its own. The check simulates the upgrade
 * (`apt-get -s`, no lock taken) in one command, listing what would change; the task is changed
 * only when something would be upgraded (or stale lists are refreshed: then the simulation runs
 * again after the refresh, in the same apply command, and the result says what really changed).
 * @example aptUpgrade({ mode: "safe", updateCache: true, cacheValidSeconds: 3600 })
 */
export const aptUpgrade = defineTask<AptUpgradeParams, AptUpgradeOutput>({
  id: "packages.aptUpgrade",
  description:
    "Installed packages are upgraded (apt-get upgrade --with-new-pkgs, or dist-upgrade); changed only when something would upgrade.",
  title: (p) => `apt ${p.mode === "dist" ? "dist-upgrade" : "upgrade"}`,
  schema: aptUpgradeParams,
  validate: (p) =>
    p.cacheValidSeconds !== undefined && !p.updateCache ? `parameter "cacheValidSeconds" needs updateCache: true` : undefined,
  async check(host, p) {
    const mode = p.mode ?? "safe";
    const lock = p.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT;
    let st;
    try {
      st = await host.fact(aptUpgradable, { mode });
    } catch (error) {
      const message = (error as Error).message;
      throw host.fail(
        message,
        /dpkg was interrupted/.test(message)
          ? "run `dpkg --configure -a` on the host"
          : "run `apt-get -s upgrade` on the host to see why apt cannot plan",
      );
    }
    const { ageSeconds, hasLists } = st.cache;
    const refresh =
      p.updateCache && (!hasLists || p.cacheValidSeconds === undefined || ageSeconds === undefined || ageSeconds > p.cacheValidSeconds);
    const upgraded = st.changes.filter((c) => c.action === "install");
    const removed = st.changes.filter((c) => c.action === "remove").map((c) => c.name);
    if (!refresh && !st.changes.length) return unchanged("no package to upgrade", { upgraded: [], removed: [], cacheUpdated: false });

    const body: Command[] = [];
    if (refresh) body.push(sh`bosun_full_update`);
    body.push(sh`apt-get ${upgradeWords(mode)} ${aptGetOptions(lock)}`);
    if (p.autoremove) body.push(sh`apt-get autoremove ${aptGetOptions(lock)}`);
    const message = `${refresh ? "refresh package lists; " : ""}${st.changes.length ? `upgrade ${describe(st.changes)}` : "then upgrade what is newer"}`;
    return changed(
      [aptStep(message, { what: "upgrade packages", body: { text: body.map((c) => c.text).join(" && ") }, lockTimeoutSeconds: lock })],
      {
        message,
        diff: {
          label: "packages",
          before: Object.fromEntries(st.changes.map((c) => [c.name, c.from ?? "not installed"])),
          after: Object.fromEntries(st.changes.map((c) => [c.name, c.to ?? "not installed"])),
        },
        output: { upgraded, removed, cacheUpdated: !!refresh },
        finish: (results) => {
          const result = results.find(isExecResult);
          const summary = result ? parseAptSummary(result.stdout) : undefined;
          const acted = !summary || summary.upgraded + summary.installed + summary.removed > 0;
          if (!acted && !refresh)
            return {
              changed: false,
              message: "nothing was upgraded after all",
              output: { upgraded: [], removed: [], cacheUpdated: false },
            };
          const n = summary ? summary.upgraded + summary.installed : upgraded.length;
          return {
            message: `${refresh ? "refreshed package lists; " : ""}${n} package(s) upgraded${summary?.removed ? `, ${summary.removed} removed` : ""}`,
          };
        },
      },
    );
  },
});
