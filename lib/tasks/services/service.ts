/** service: a systemd unit is enabled or disabled, started or stopped; or restarted/reloaded on demand. */
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import { taskParams, required, optional, matching, bool, oneOf, type Static } from "../../core/params.js";
import { sh } from "../../core/command.js";
import { systemctlShowCommand, parseSystemctlShow, type UnitState } from "../../facts/systemd.js";
import { unitActions, unitProblem } from "./service-plan.js";

/** Read one unit's state, failing clearly where systemd does not run. */
export async function readUnit(host: TaskHost, name: string): Promise<UnitState> {
  const r = await host.exec(systemctlShowCommand([name]));
  const [unit] = parseSystemctlShow(r.stdout);
  if (!unit?.loadState) {
    const why = r.stdout.trim().split("\n")[0] || r.stderr.trim() || `exit ${r.code}`;
    throw host.fail(
      `Cannot read the state of ${name}: ${why}`,
      /booted with systemd|not found/i.test(why) ? "this host does not run systemd as PID 1" : undefined,
    );
  }
  return unit;
}

/** Parameters for {@link service}. Give `enabled`, `state`, or both. */
export const serviceParams = taskParams({
  name: required(matching("^[A-Za-z0-9:_.@\\\\-]+$"), "Unit name: `nginx` (a service) or with its suffix, `apt-daily.timer`."),
  enabled: optional(bool, "Start at boot (true) or not (false); left alone when omitted."),
  state: optional(
    oneOf("started", "stopped", "restarted", "reloaded"),
    "`started` / `stopped`: hold that state (nothing done when it does). `restarted` / `reloaded`: always act, like Ansible; use them from handlers so they run only after a change. A stopped unit is started instead.",
  ),
});
/** Parameters for {@link service}. Give `enabled`, `state`, or both. */
export type ServiceParams = Static<typeof serviceParams>;

/**
 * Ensure a systemd unit is enabled/disabled and started/stopped, or restart/reload it. The check
 * is one `systemctl show -p ActiveState,UnitFileState,LoadState,...` command. A unit systemd does
 * not know is an error (in --check it is reported as a change an earlier task may make possible).
 * A start that fails prints the unit's status and last log lines in the error.
 * @example service({ name: "nginx", enabled: true, state: "started" })
 * @example handlers: { "restart app": (h) => h.run(service({ name: "app", state: "restarted" })) }
 */
export const service = defineTask<ServiceParams>({
  id: "services.service",
  description: "A systemd unit is enabled/disabled and started/stopped; restarted/reloaded always act (use from handlers).",
  title: (p) => `service ${p.name}${p.state ? ` ${p.state}` : ""}${p.enabled === undefined ? "" : p.enabled ? " enabled" : " disabled"}`,
  schema: serviceParams,
  validate: (p) => (p.enabled === undefined && p.state === undefined ? `give parameter "enabled" or "state" (or both)` : undefined),
  async check(host, p) {
    const unit = await readUnit(host, p.name);
    const name = unit.id || p.name;
    if (unit.loadState === "not-found") {
      const message = `${p.name}: no such unit`;
      if (p.enabled !== true && (p.state === undefined || p.state === "stopped"))
        return unchanged(`${message}; nothing to stop or disable`);
      // An earlier task of the run (a package, a unit file) may provide it: the runner settles that.
      return changed([sh`systemctl start -- ${p.name}`], {
        message: `start ${p.name}`,
        needs: [
          {
            doing: `Cannot manage service ${p.name}`,
            missing: "systemd has no such unit (LoadState=not-found)",
            hint: "check the name (systemctl list-unit-files), or install the package that provides it first",
          },
        ],
      });
    }
    const problem = unitProblem(host, { unit, name, want: p });
    if (problem) throw problem;
    if (p.state === "reloaded" && !unit.canReload && unit.activeState === "active") {
      throw host.fail(`Cannot reload ${name}: the unit has no ExecReload`, `use state "restarted" instead`);
    }
    const { commands, words } = unitActions(unit, { name, want: p });
    if (unit.needDaemonReload && commands.length) commands.unshift(sh`systemctl daemon-reload`);
    const now = `${unit.activeState}, ${unit.unitFileState || "no unit file"}`;
    if (!commands.length) return unchanged(`${name} is ${now}`);
    return changed(commands, {
      message: `${words.join(" and ")} ${name} (was ${now})`,
      diff: {
        label: name,
        before: { active: unit.activeState, enabled: unit.unitFileState },
        after: {
          active: p.state === "stopped" ? "inactive" : p.state ? "active" : unit.activeState,
          enabled: p.enabled === undefined ? unit.unitFileState : p.enabled ? "enabled" : "disabled",
        },
      },
    });
  },
});
