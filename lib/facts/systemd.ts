/** systemd facts: what `systemctl show` says about units. */
import { defineFact } from "../core/fact.js";
import { sh, type Command } from "../core/command.js";

/** The properties bosun reads, in one `systemctl show -p` call. */
export const UNIT_PROPERTIES = [
  "Id",
  "LoadState",
  "ActiveState",
  "SubState",
  "UnitFileState",
  "MainPID",
  "CanReload",
  "NeedDaemonReload",
  "FragmentPath",
  "ActiveEnterTimestampMonotonic",
] as const;

/** A unit as `systemctl show` describes it. */
export interface UnitState {
  /** The full unit name (`ssh.service` for `ssh`). */
  readonly id: string;
  /** `loaded`, `not-found`, `masked`, `bad-setting`, `error`. */
  readonly loadState: string;
  /** `active`, `reloading`, `inactive`, `failed`, `activating`, `deactivating`. */
  readonly activeState: string;
  /** The finer state (`running`, `dead`, `exited`, `waiting`...). */
  readonly subState: string;
  /** `enabled`, `disabled`, `static`, `masked`, `indirect`, ... ("" for a unit without a unit file). */
  readonly unitFileState: string;
  /** Main process id (0 when none). */
  readonly mainPid: number;
  /** Whether the unit can be reloaded (has ExecReload). */
  readonly canReload: boolean;
  /** Whether its files changed on disk since the last daemon-reload. */
  readonly needDaemonReload: boolean;
  /** Path of the unit file ("" when none). */
  readonly fragmentPath: string;
  /** When it last entered the active state (CLOCK_MONOTONIC, µs; 0 when never). */
  readonly activeEnterMonotonic: number;
}

/** Unit file states for which `systemctl is-enabled` succeeds: enabling has nothing to do. */
const ENABLED_LIKE = new Set(["enabled", "enabled-runtime", "static", "alias", "indirect", "generated", "transient"]);
/** Unit file states that need no `systemctl disable`. */
const DISABLED_LIKE = new Set(["disabled", "static", "indirect", "generated", "transient", "masked", "masked-runtime", ""]);

/** Whether `enabled: true` holds already. */
export function isEnabled(unit: UnitState): boolean {
  return ENABLED_LIKE.has(unit.unitFileState);
}

/** Whether `enabled: false` holds already. */
export function isDisabled(unit: UnitState): boolean {
  return DISABLED_LIKE.has(unit.unitFileState);
}

/** Whether the unit runs or is starting (`started` holds). */
export function isRunning(unit: UnitState): boolean {
  return ["active", "reloading", "activating"].includes(unit.activeState);
}

/** Parse `systemctl show` output: one block of `Key=Value` lines per unit, blocks separated by blank lines. */
export function parseSystemctlShow(stdout: string): UnitState[] {
  const blocks = stdout.split(/\n\s*\n/).filter((b) => b.trim());
  return blocks.map((block) => {
    const props = new Map<string, string>();
    for (const line of block.split("\n")) {
      const i = line.indexOf("=");
      if (i > 0) props.set(line.slice(0, i), line.slice(i + 1));
    }
    const get = (k: (typeof UNIT_PROPERTIES)[number]) => props.get(k) ?? "";
    return {
      id: get("Id"),
      loadState: get("LoadState"),
      activeState: get("ActiveState"),
      subState: get("SubState"),
      unitFileState: get("UnitFileState"),
      mainPid: Number(get("MainPID")) || 0,
      canReload: get("CanReload") === "yes",
      needDaemonReload: get("NeedDaemonReload") === "yes",
      fragmentPath: get("FragmentPath"),
      activeEnterMonotonic: Number(get("ActiveEnterTimestampMonotonic")) || 0,
    };
  });
}

/** Shell text: `systemctl show` of these units (in this order), exit status ignored. */
export function systemctlShowCommand(names: readonly string[]): Command {
  return sh`systemctl show -p ${UNIT_PROPERTIES.join(",")} -- ${names} 2>&1`;
}

/** What `systemctl show` says about units, in the order asked. */
export const unitStates = defineFact<readonly string[], UnitState[]>({
  id: "systemd.unitStates",
  command: (names) => systemctlShowCommand(names),
  parse: (r, names) => {
    const units = parseSystemctlShow(r.stdout);
    if (units.length !== names.length || units.some((u) => !u.loadState)) {
      throw new Error(
        `Cannot read the state of ${names.join(", ")}: ${r.stdout.trim().split("\n").slice(0, 3).join(" ") || `exit ${r.code}`}`,
      );
    }
    return units;
  },
});
