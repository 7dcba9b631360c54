/** templateFile: a file is the rendering of a handlebars template on the controller. */
import { defineTask } from "../../core/task.js";
import { BosunError } from "../../core/errors.js";
import {
  taskParams,
  required,
  optional,
  typed,
  nonEmpty,
  absPath,
  octalMode,
  account,
  bool,
  any,
  record,
  type Static,
} from "../../core/params.js";
import type { Vars } from "../../core/vars.js";
import { renderTemplateFile } from "../../template/render.js";
import { pathState } from "../../facts/files.js";
import { planFileWrite, requireFileOrAbsent } from "./file-plan.js";
import { resolveLocalPath } from "./local-source.js";
import { filePathProblem, firstProblem, validateProblem } from "./validation.js";

/** Parameters for {@link templateFile}. */
export const templateFileParams = taskParams({
  src: required(nonEmpty, "Handlebars template on the controller: absolute, or relative to the directory the playbook runs in."),
  dest: required(absPath, "Absolute path of the rendered file on the host."),
  vars: optional(typed<Vars>(record(any)), "Variables for this template, over the host's variables."),
  owner: optional(account, "Owner name or uid; an existing file keeps its owner when omitted."),
  group: optional(account, "Group name or gid; an existing file keeps its group when omitted."),
  mode: optional(octalMode, 'Octal mode such as "0640"; an existing file keeps its mode when omitted, a new one gets 0644.'),
  validate: optional(nonEmpty, "Command that checks the rendered file before it goes live; `%s` is the temp file (`nginx -t -c %s`)."),
  createParents: optional(bool, { description: "Create missing parent directories (default false).", default: false }),
});
/** Parameters for {@link templateFile}. */
export type TemplateFileParams = Static<typeof templateFileParams>;

/**
 * Render a handlebars template (strict: a missing variable is an error) with the host's variables
 * and `vars`, and install the result like {@link ensureFile}: atomically, validated, with a diff.
 * @example templateFile({ src: "templates/app.conf.hbs", dest: "/etc/app.conf", mode: "0640", vars: { port: 8080 }, notify: "restart app" })
 */
export const templateFile = defineTask<TemplateFileParams>({
  id: "files.templateFile",
  description: "A file is the rendering of a handlebars template (strict) with the host's variables; written atomically.",
  title: (p) => `template ${p.dest}`,
  schema: templateFileParams,
  validate: (p) => firstProblem(filePathProblem("dest", p.dest), validateProblem(p.validate)),
  async check(host, p) {
    let content: string;
    try {
      content = await renderTemplateFile(resolveLocalPath(p.src), { ...host.vars, ...p.vars });
    } catch (error) {
      const message = error instanceof BosunError ? error.message : String(error);
      throw host.fail(message, /ENOENT/.test(message) ? "relative template paths start at the directory the playbook runs in" : undefined);
    }
    const st = await host.fact(pathState, { path: p.dest, content: host.diffMode });
    return planFileWrite(host, requireFileOrAbsent(host, st, { file: p.dest, what: "write file" }), { ...p, path: p.dest, content });
  },
});
