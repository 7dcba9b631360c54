/** systemdTimer: a command run on a calendar schedule, as a `<name>.service` + `<name>.timer` pair. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged } from "../../core/task.js";
import {
  taskParams,
  required,
  optional,
  typed,
  matching,
  intIn,
  str,
  nonEmpty,
  absPath,
  account,
  bool,
  oneOf,
  record,
  type Static,
} from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { parseSections, section, sectionLines } from "../../facts/docker-sections.js";
import { fileSnapshotCommand, parseFileSnapshot, type FileSnapshot } from "../../facts/system.js";
import { systemctlShowCommand, parseSystemctlShow } from "../../facts/systemd.js";
import { inlineWrite } from "../system/inline-write.js";
import { unitActions } from "./service-plan.js";
import { environmentLine, escapeSpecifiers, shellExecStart } from "./unit-text.js";

const ONE_LINE = /^[^\n\r]+$/;

function calendars(p: SystemdTimerParams): string[] {
  return p.onCalendar === undefined ? [] : typeof p.onCalendar === "string" ? [p.onCalendar] : [...p.onCalendar];
}

/** The text of the `.service` and `.timer` units. */
export function renderTimerUnits(p: SystemdTimerParams): { service: string; timer: string } {
  const description = escapeSpecifiers(p.description ?? p.name);
  const service = [
    "[Unit]",
    `Description=${description}`,
    "",
    "[Service]",
    "Type=oneshot",
    ...(p.user ? [`User=${p.user}`] : []),
    ...(p.workingDirectory ? [`WorkingDirectory=${escapeSpecifiers(p.workingDirectory)}`] : []),
    ...Object.entries(p.environment ?? {}).map(([k, v]) => environmentLine(k, v)),
    shellExecStart(p.command ?? ""),
    "",
  ].join("\n");
  const timer = [
    "[Unit]",
    `Description=${description} (timer)`,
    "",
    "[Timer]",
    ...calendars(p).map((c) => `OnCalendar=${c}`),
    `Persistent=${p.persistent === false ? "false" : "true"}`,
    ...(p.randomizedDelaySec ? [`RandomizedDelaySec=${p.randomizedDelaySec}`] : []),
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return { service, timer };
}

function problem(p: SystemdTimerParams): string | undefined {
  if (p.state === "absent") return undefined;
  const cals = calendars(p);
  if (!cals.length) return `missing required parameter "onCalendar"`;
  if (cals.some((c) => typeof c !== "string" || !/^[^\n\r%]+$/.test(c) || !c.trim()))
    return `parameter "onCalendar" must be calendar expressions on one line each`;
  if (p.command === undefined) return `missing required parameter "command"`;
  if (!ONE_LINE.test(p.command)) return `parameter "command" must be one line (put longer scripts in a file)`;
  if (p.description !== undefined && (!ONE_LINE.test(p.description) || p.description.endsWith("\\")))
    return `parameter "description" must be one line, not ending in "\\" (systemd would join the next line)`;
  if (p.workingDirectory !== undefined && (!/^\/[^\n\r]*$/.test(p.workingDirectory) || p.workingDirectory.endsWith("\\")))
    return `parameter "workingDirectory" must be an absolute path`;
  const badKey = Object.keys(p.environment ?? {}).find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (badKey !== undefined) return `parameter "environment" has an invalid variable name ${JSON.stringify(badKey)}`;
  if (Object.values(p.environment ?? {}).some((v) => /[\0-\x08\x0b-\x1f\x7f]/.test(v)))
    return `parameter "environment" values must not hold control characters other than tab and newline (systemd drops such a variable)`;
  return undefined;
}

function fileDiff(path: string, before: FileSnapshot, after: string | undefined): Diff {
  const was = before.kind === "file" ? (before.content?.toString("utf8") ?? `<sha256 ${before.sha256}>\n`) : undefined;
  return { label: path, before: was, after };
}

/** Parameters for {@link systemdTimer}. */
export const systemdTimerParams = taskParams({
  name: required(matching("^[A-Za-z0-9:_.-]+$"), "Base name: `/etc/systemd/system/<name>.service` and `<name>.timer`."),
  onCalendar: optional(
    typed<string | readonly string[]>({ anyOf: [nonEmpty, { type: "array", items: nonEmpty, minItems: 1 }] }),
    "When to run: one or more systemd calendar expressions (`daily`, `*-*-* 03:00:00`, `Mon..Fri 08:00`).",
  ),
  command: optional(nonEmpty, "The shell command line to run (with /bin/sh -c, exactly as written)."),
  user: optional(account, { description: "User to run it as.", default: "root" }),
  description: optional(nonEmpty, "Description of the units (default: the name)."),
  persistent: optional(bool, { description: "Run a missed run at boot (`Persistent=`, default true).", default: true }),
  randomizedDelaySec: optional(intIn({ minimum: 0 }), "Spread the start over up to this many seconds (`RandomizedDelaySec=`)."),
  workingDirectory: optional(absPath, "Directory to run in."),
  environment: optional(record(str), "Environment variables of the command (visible to anyone who can read unit files: no secrets)."),
  state: optional(oneOf("present", "absent"), {
    description: "present: installed, enabled and started; absent: stopped, disabled and removed.",
    default: "present",
  }),
});
/** Parameters for {@link systemdTimer}. */
export type SystemdTimerParams = Static<typeof systemdTimerParams>;

/**
 * Run a command on a calendar schedule with a systemd timer: writes `<name>.service` (oneshot,
 * `/bin/sh -c COMMAND` as `user`) and `<name>.timer` (`OnCalendar=`, `Persistent=`), reloads systemd
 * when they changed, enables and starts the timer (it then shows in `systemctl list-timers`) and
 * restarts it when its schedule changed. Calendar expressions are checked with
 * `systemd-analyze calendar` in the one check command, before anything is written.
 * @example systemdTimer({ name: "db-backup", onCalendar: "*-*-* 03:00:00", command: "/usr/local/bin/backup >/var/log/backup.log 2>&1", user: "deploy" })
 */
export const systemdTimer = defineTask<SystemdTimerParams>({
  id: "services.systemdTimer",
  description:
    "A command on a calendar schedule: a oneshot .service and a .timer, enabled and started; checked with systemd-analyze calendar.",
  title: (p) => `systemd timer ${p.name}`,
  schema: systemdTimerParams,
  validate: problem,
  async check(host, p) {
    const servicePath = `/etc/systemd/system/${p.name}.service`;
    const timerPath = `/etc/systemd/system/${p.name}.timer`;
    const timerUnit = `${p.name}.timer`;
    const cals = calendars(p);
    const calendarProbe =
      cals.map((c) => sh`if systemd-analyze calendar -- ${c} >/dev/null 2>&1; then echo ok; else echo bad; fi`.text).join("; ") || ":";
    const probe = await host.exec(
      sh`${section("service")}; ${fileSnapshotCommand(servicePath, host.diffMode)}; ${section("timer")}; ${fileSnapshotCommand(timerPath, host.diffMode)}; ${section("unit")}; ${systemctlShowCommand([timerUnit])}; ${section("calendar")}; ${{ text: calendarProbe }}`,
    );
    const s = parseSections(probe.stdout);
    const service = parseFileSnapshot(sectionLines(s, "service"));
    const timer = parseFileSnapshot(sectionLines(s, "timer"));
    const [unit] = parseSystemctlShow(sectionLines(s, "unit").join("\n"));
    if (!unit?.loadState)
      throw host.fail(
        `Cannot read the state of ${timerUnit}: ${sectionLines(s, "unit")[0] ?? "no answer"}`,
        "this host must run systemd as PID 1",
      );
    for (const [path, snap] of [
      [servicePath, service],
      [timerPath, timer],
    ] as const) {
      if (snap.kind === "other") throw host.fail(`Cannot write ${path}: it is not a regular file`, "remove it first");
    }

    if (p.state === "absent") {
      const present = [servicePath, timerPath].filter((_, i) => [service, timer][i]?.kind === "file");
      if (!present.length) return unchanged(`timer ${p.name} is absent`);
      const stop = unitActions(unit, { name: timerUnit, want: { enabled: false, state: "stopped" } });
      return changed([...stop.commands, sh`rm -f -- ${present}`, sh`systemctl daemon-reload`], {
        message: `${[...stop.words, "remove"].join(", ")} ${present.join(" ")}`,
        diff: present.map((f) => ({ label: f, before: "present\n", after: undefined })),
      });
    }

    const bad = cals.filter((_, i) => sectionLines(s, "calendar")[i] !== "ok");
    if (bad.length)
      throw host.fail(
        `Cannot install timer ${p.name}: ${bad.map((c) => JSON.stringify(c)).join(", ")} is not a valid calendar expression`,
        `try it on the host: systemd-analyze calendar '${bad[0]}'`,
      );

    const want = renderTimerUnits(p);
    const sha = (t: string) => createHash("sha256").update(t).digest("hex");
    const serviceChanged = service.kind !== "file" || service.sha256 !== sha(want.service);
    const timerChanged = timer.kind !== "file" || timer.sha256 !== sha(want.timer);
    const commands: Command[] = [];
    const words: string[] = [];
    const diff: Diff[] = [];
    if (serviceChanged) {
      commands.push(inlineWrite(servicePath, want.service, { mode: "0644", owner: "root", group: "root" }));
      diff.push(fileDiff(servicePath, service, want.service));
      words.push(`${service.kind === "file" ? "update" : "write"} ${p.name}.service`);
    }
    if (timerChanged) {
      commands.push(inlineWrite(timerPath, want.timer, { mode: "0644", owner: "root", group: "root" }));
      diff.push(fileDiff(timerPath, timer, want.timer));
      words.push(`${timer.kind === "file" ? "update" : "write"} ${timerUnit}`);
    }
    if (serviceChanged || timerChanged) {
      commands.push(sh`systemctl daemon-reload`);
      words.push("daemon-reload");
    }
    // A new schedule takes effect when the running timer restarts.
    const actions = unitActions(unit, { name: timerUnit, want: { enabled: true, state: "started" }, restart: timerChanged });
    commands.push(...actions.commands);
    words.push(...actions.words.map((w) => `${w} ${timerUnit}`));
    if (!commands.length) return unchanged(`timer ${p.name} is installed and ${unit.activeState}`);
    return changed(commands, { message: words.join("; "), diff });
  },
});
