/**
 * What brings a systemd unit to the wanted enablement and activity: the systemctl commands and
 * the words for the message. Shared by service, systemdUnit and systemdTimer.
 */
import { sh, type Command } from "../../core/command.js";
import type { TaskHost } from "../../core/task.js";
import { isDisabled, isEnabled, isRunning, type UnitState } from "../../facts/systemd.js";

/** What a unit should be. */
export interface WantedUnit {
  /** Start at boot (`systemctl enable`) or not. Left alone when undefined. */
  readonly enabled?: boolean;
  /** started/stopped hold a state; restarted/reloaded always act (start when stopped). */
  readonly state?: "started" | "stopped" | "restarted" | "reloaded";
}

/** The commands and the message words of a plan. */
export interface UnitActions {
  readonly commands: Command[];
  readonly words: string[];
}

/** `systemctl VERB -- NAME`, printing the unit's status (and so its last log lines) to stderr when it fails. */
export function systemctl(verb: "start" | "stop" | "restart" | "reload" | "enable" | "disable", name: string): Command {
  const flags = verb === "enable" || verb === "disable" ? ["--quiet"] : [];
  return sh`systemctl ${[verb, ...flags]} -- ${name} || { rc=$?; systemctl status --no-pager -n 15 -- ${name} >&2; exit "$rc"; }`;
}

/** The error for a unit systemd does not know, or is masked, when something must be done to it. */
export function unitProblem(host: TaskHost, target: { unit: UnitState; name: string; want: WantedUnit }): Error | undefined {
  const { unit, name, want } = target;
  const acting = want.enabled === true || (want.state !== undefined && want.state !== "stopped");
  if (unit.loadState === "masked" && acting) {
    return host.fail(
      `Cannot ${want.state === undefined ? "enable" : want.state.replace(/ed$/, "")} ${name}: the unit is masked`,
      `unmask it first: systemctl unmask ${name}`,
    );
  }
  if (unit.loadState === "bad-setting" || unit.loadState === "error") {
    return host.fail(
      `Cannot manage ${name}: systemd cannot load the unit (LoadState=${unit.loadState})`,
      `see \`systemctl status ${name}\` and \`systemd-analyze verify ${unit.fragmentPath || name}\``,
    );
  }
  return undefined;
}

/**
 * The systemctl commands that give `unit` (undefined: not loaded yet, e.g. a unit file about to be
 * written) the wanted state. `restart` restarts a running unit (its unit file or config changed).
 */
export function unitActions(unit: UnitState | undefined, target: { name: string; want: WantedUnit; restart?: boolean }): UnitActions {
  const { name, want, restart = false } = target;
  const commands: Command[] = [];
  const words: string[] = [];
  const known = unit !== undefined && unit.loadState !== "not-found";
  if (want.enabled === true && !(known && isEnabled(unit))) {
    commands.push(systemctl("enable", name));
    words.push("enable");
  }
  if (want.enabled === false && known && !isDisabled(unit)) {
    commands.push(systemctl("disable", name));
    words.push("disable");
  }
  const running = known && isRunning(unit);
  switch (want.state) {
    case "started":
      if (!running) {
        commands.push(systemctl("start", name));
        words.push("start");
      } else if (restart) {
        commands.push(systemctl("restart", name));
        words.push("restart (changed)");
      }
      break;
    case "stopped":
      if (running) {
        commands.push(systemctl("stop", name));
        words.push("stop");
      }
      break;
    case "restarted":
      commands.push(systemctl(running ? "restart" : "start", name));
      words.push(running ? "restart" : "start");
      break;
    case "reloaded":
      commands.push(systemctl(running ? "reload" : "start", name));
      words.push(running ? "reload" : "start");
      break;
    case undefined:
      if (running && restart) {
        commands.push(systemctl("restart", name));
        words.push("restart (changed)");
      }
  }
  return { commands, words };
}
