/** systemdUnit: a unit file (or drop-in) in /etc/systemd/system; daemon-reload only when it changed. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import {
  taskParams,
  required,
  optional,
  typed,
  matching,
  str,
  nonEmpty,
  bool,
  any,
  oneOf,
  record,
  type Static,
} from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import { BosunError } from "../../core/errors.js";
import type { Vars } from "../../core/vars.js";
import { renderTemplateFile } from "../../template/render.js";
import { resolveLocalPath } from "../files/local-source.js";
import { parseSections, section, sectionLines } from "../../facts/docker-sections.js";
import { fileSnapshotCommand, parseFileSnapshot } from "../../facts/system.js";
import { systemctlShowCommand, parseSystemctlShow } from "../../facts/systemd.js";
import { inlineWrite } from "../system/inline-write.js";
import { unitActions, unitProblem } from "./service-plan.js";

const UNIT_NAME = "^[A-Za-z0-9:_.@\\\\-]+\\.(service|socket|timer|mount|automount|path|target|slice|swap)$";

/** Path of the file a {@link SystemdUnitParams} manages. */
export function unitFilePath(p: Pick<SystemdUnitParams, "name" | "dropIn">): string {
  return p.dropIn === undefined ? `/etc/systemd/system/${p.name}` : `/etc/systemd/system/${p.name}.d/${p.dropIn}.conf`;
}

async function wantedContent(host: TaskHost, p: SystemdUnitParams): Promise<string> {
  if (p.content !== undefined) return p.content;
  try {
    return await renderTemplateFile(resolveLocalPath(p.template as string), { ...host.vars, ...p.vars });
  } catch (error) {
    throw host.fail(error instanceof BosunError ? error.message : String(error));
  }
}

/** Parameters for {@link systemdUnit}. Give `content` or `template` (unless state is absent). */
export const systemdUnitParams = taskParams({
  name: required(matching(UNIT_NAME), "Unit name with its suffix: `app.service`, `backup.timer`, `app@.service`."),
  content: optional(str, "The unit file text."),
  template: optional(nonEmpty, "A handlebars template on the controller (absolute, or relative to where the playbook runs)."),
  vars: optional(typed<Vars>(record(any)), "Variables for the template, over the host's variables."),
  dropIn: optional(
    matching("^[A-Za-z0-9_.@-]+$"),
    "Write the drop-in `/etc/systemd/system/<name>.d/<dropIn>.conf` instead of the unit file (to override a packaged unit).",
  ),
  state: optional(oneOf("present", "absent"), {
    description: "present or absent: the file removed (the unit stopped and disabled first).",
    default: "present",
  }),
  enabled: optional(bool, "Enable (true) or disable (false) the unit; left alone when omitted."),
  started: optional(bool, "Start (true) or stop (false) the unit; left alone when omitted."),
  restartOnChange: optional(bool, {
    description: "Restart the unit when the file changed and it is running (otherwise notify a handler).",
    default: false,
  }),
});
/** Parameters for {@link systemdUnit}. Give `content` or `template` (unless state is absent). */
export type SystemdUnitParams = Static<typeof systemdUnitParams>;

/**
 * Ensure a unit file (or a drop-in) has this content; `systemctl daemon-reload` runs only when it
 * changed. Optionally enable and start the unit in the same apply command, and restart it when
 * the file changed (`restartOnChange`), or notify a handler that restarts it. One command to
 * check (file checksum and `systemctl show`), one to apply.
 * @example systemdUnit({ name: "app.service", content: unitText, enabled: true, started: true, notify: "restart app" })
 * @example systemdUnit({ name: "docker.service", dropIn: "limits", content: "[Service]\nLimitNOFILE=1048576\n", restartOnChange: true })
 */
export const systemdUnit = defineTask<SystemdUnitParams>({
  id: "services.systemdUnit",
  description:
    "A systemd unit file or drop-in has this content; daemon-reload only when it changed; optionally enabled, started, restarted on change.",
  title: (p) => `systemd unit ${p.name}${p.dropIn ? ` (drop-in ${p.dropIn})` : ""}`,
  schema: systemdUnitParams,
  validate: (p) => {
    const absent = p.state === "absent";
    if (!absent && (p.content === undefined) === (p.template === undefined))
      return `give exactly one of parameters "content" and "template"`;
    if (absent && (p.content !== undefined || p.template !== undefined))
      return `parameters "content" and "template" make no sense with state "absent"`;
    if (absent && (p.enabled || p.started)) return `parameters "enabled" and "started" cannot be true with state "absent"`;
    if (p.name.includes("@.") && (p.enabled !== undefined || p.started !== undefined))
      return `a template unit (${p.name}) cannot be enabled or started itself: manage an instance with service()`;
    return undefined;
  },
  async check(host, p) {
    const path = unitFilePath(p);
    const probe = await host.exec(
      sh`${section("file")}; ${fileSnapshotCommand(path, host.diffMode)}; ${section("unit")}; ${systemctlShowCommand([p.name])}`,
    );
    const s = parseSections(probe.stdout);
    const file = parseFileSnapshot(sectionLines(s, "file"));
    const [unit] = parseSystemctlShow(sectionLines(s, "unit").join("\n"));
    if (!unit?.loadState)
      throw host.fail(
        `Cannot read the state of ${p.name}: ${sectionLines(s, "unit")[0] ?? "no answer"}`,
        "this host must run systemd as PID 1",
      );
    if (file.kind === "other")
      throw host.fail(`Cannot write ${path}: it is not a regular file (a link, e.g. a masked unit?)`, `unmask or remove it first`);

    if (p.state === "absent") {
      if (file.kind === "absent") return unchanged(`${path} is absent`);
      const stop =
        p.dropIn === undefined
          ? unitActions(unit, { name: p.name, want: { enabled: false, state: "stopped" } })
          : { commands: [], words: [] };
      const commands: Command[] = [...stop.commands, sh`rm -f -- ${path}`, sh`systemctl daemon-reload`];
      return changed(commands, {
        message: `${[...stop.words, "remove"].join(", ")} ${path}`,
        diff: { label: path, before: file.content?.toString("utf8") ?? "present\n", after: undefined },
      });
    }

    const content = await wantedContent(host, p);
    const sha = createHash("sha256").update(content).digest("hex");
    const fileChanged = file.kind === "absent" || file.sha256 !== sha;
    const problem = unitProblem(host, { unit, name: p.name, want: { enabled: p.enabled, state: p.started ? "started" : undefined } });
    if (problem) throw problem;
    const commands: Command[] = [];
    const words: string[] = [];
    if (fileChanged) {
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (p.dropIn !== undefined) commands.push(sh`mkdir -p -- ${dir}`);
      commands.push(inlineWrite(path, content, { mode: "0644", owner: "root", group: "root" }), sh`systemctl daemon-reload`);
      words.push(`${file.kind === "absent" ? "write" : "update"} ${path}, daemon-reload`);
    }
    // A drop-in's unit keeps its own name; with a new unit file, `unit` says not-found until the reload.
    const want = {
      enabled: p.enabled,
      state: p.started === true ? ("started" as const) : p.started === false ? ("stopped" as const) : undefined,
    };
    const actions = unitActions(unit, { name: p.name, want, restart: fileChanged && !!p.restartOnChange });
    commands.push(...actions.commands);
    words.push(...actions.words.map((w) => `${w} ${p.name}`));
    if (!commands.length)
      return unchanged(`${path} is up to date; ${p.name} ${unit.activeState}, ${unit.unitFileState || "no unit file state"}`);
    return changed(commands, {
      message: words.join("; "),
      diff: fileChanged
        ? {
            label: path,
            before: file.kind === "file" ? (file.content?.toString("utf8") ?? `<sha256 ${file.sha256}>\n`) : undefined,
            after: content,
          }
        : undefined,
    });
  },
});
