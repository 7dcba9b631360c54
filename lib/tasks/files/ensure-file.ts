/** ensureFile: a file has exactly this content (given, or copied from the controller), owner, group and mode. */
import { defineTask } from "../../core/task.js";
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
  secretString,
  type Static,
} from "../../core/params.js";
import { Secret } from "../../core/secrets.js";
import { pathState } from "../../facts/files.js";
import { planFileWrite, requireFileOrAbsent, type FileContent } from "./file-plan.js";
import { readLocalFile } from "./local-source.js";
import { contentProblem, filePathProblem, firstProblem, validateProblem } from "./validation.js";

/** Parameters for {@link ensureFile}. Give exactly one of `content` and `src`. */
export const ensureFileParams = taskParams({
  path: required(absPath, "Absolute path of the file on the host."),
  content: optional(typed<FileContent>(secretString), "The whole content: text, bytes, or a Secret (never shown in diffs or logs)."),
  src: optional(nonEmpty, "A file on the controller to copy: absolute, or relative to the directory the playbook runs in."),
  owner: optional(account, "Owner name or uid; an existing file keeps its owner when omitted."),
  group: optional(account, "Group name or gid; an existing file keeps its group when omitted."),
  mode: optional(octalMode, 'Octal mode such as "0640"; an existing file keeps its mode when omitted, a new one gets 0644.'),
  validate: optional(nonEmpty, "Command that checks the new content before it goes live; `%s` is the temp file (`visudo -cf %s`)."),
  createParents: optional(bool, {
    description: "Create missing parent directories (otherwise a missing directory is an error).",
    default: false,
  }),
});
/** Parameters for {@link ensureFile}. Give exactly one of `content` and `src`. */
export type EnsureFileParams = Static<typeof ensureFileParams>;

/**
 * Ensure a file has exactly this content, owner, group and mode. The content goes to a temp file
 * beside the target, is validated, then renamed into place. One command when nothing changes,
 * two when something does.
 * @example ensureFile({ path: "/etc/sudoers.d/deploy", content: "deploy ALL=(ALL) NOPASSWD: ALL\n", mode: "0440", validate: "visudo -cf %s" })
 * @example ensureFile({ path: "/etc/app/token", content: secret(vars.token), owner: "app", mode: "0600" })
 * @example ensureFile({ path: "/usr/local/bin/backup", src: "files/backup.sh", mode: "0755" })
 */
export const ensureFile = defineTask<EnsureFileParams>({
  id: "files.ensureFile",
  description: "A file has exactly this content (given, or copied from the controller), owner, group and mode; written atomically.",
  title: (p) => `file ${p.path}`,
  schema: ensureFileParams,
  validate: (p) =>
    firstProblem(
      (p.content === undefined) === (p.src === undefined) ? `give exactly one of parameters "content" and "src"` : undefined,
      contentProblem("content", p.content),
      filePathProblem("path", p.path),
      validateProblem(p.validate),
    ),
  async check(host, p) {
    const content = p.content ?? (await readLocalFile(host, p.src as string));
    const st = await host.fact(pathState, { path: p.path, content: host.diffMode && !(content instanceof Secret) });
    return planFileWrite(host, requireFileOrAbsent(host, st, { file: p.path, what: "write file" }), { ...p, content });
  },
});
