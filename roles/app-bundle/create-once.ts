/** createFileOnce: a file created from a template when it is absent, and never touched again. */
import { defineTask, changed, unchanged } from "../../lib/core/task.js";
import { BosunError } from "../../lib/core/errors.js";
import { params, absPath, account, any, list, nonEmpty, octalMode, record } from "../../lib/core/params.js";
import type { Vars } from "../../lib/inventory/types.js";
import { pathState } from "../../lib/facts/files.js";
import { atomicWrite } from "../../lib/tasks/files/index.js";
import { resolveLocalPath } from "../../lib/tasks/files/local-source.js";
import { renderTemplateFile } from "../../lib/template/index.js";
import { DEFAULT_PLACEHOLDERS, placeholderKeys } from "./placeholders.js";

/** Parameters for {@link createFileOnce}. */
export interface CreateFileOnceParams {
  /** Absolute path of the file on the host. */
  readonly path: string;
  /** Handlebars template on the controller (strict), rendered with the host's vars and `vars`. */
  readonly template: string;
  /** Variables for the template, over the host's variables. */
  readonly vars?: Vars;
  /** Owner of the new file. */
  readonly owner?: string;
  /** Group of the new file. */
  readonly group?: string;
  /** Mode of the new file ("0600": such files hold secrets). */
  readonly mode?: string;
  /** Values the file must not be created with (`KEY=CHANGE_ME`); default CHANGE_ME, CHANGEME, REPLACE_ME; [] allows any. */
  readonly placeholders?: readonly string[];
}

/**
 * Create a file from a template only when nothing is at its path; an existing file is never
 * read, compared or overwritten (like Ansible's `force: no`), e.g. a long-lived `.env` that
 * operators edit on the host. The template is rendered only when the file is created. One
 * command when the file exists; two when it is created (written atomically, and only if still
 * absent then). The content is never shown: no diff. A rendered `KEY=value` file that still
 * holds a placeholder (`CHANGE_ME`) is refused, naming the keys: set the variables, or let the
 * template generate the value (`{{default db_password (randomSecret)}}`).
 * @example createFileOnce({ path: "/srv/cfa/.env", template: "examples/cfa-bundle/.env.hbs", owner: "deploy", mode: "0600" })
 */
export const createFileOnce = defineTask<CreateFileOnceParams>({
  id: "appBundle.createFileOnce",
  description: "Create a file from a template when it is absent; never overwrite it.",
  title: (p) => `file ${p.path} (created once)`,
  schema: params(
    { path: absPath, template: nonEmpty },
    { vars: record(any), owner: account, group: account, mode: octalMode, placeholders: list(nonEmpty) },
  ),
  async check(host, p) {
    const st = await host.fact(pathState, { path: p.path });
    if (st.kind !== "absent") return unchanged(`${p.path} exists; left as it is (never overwritten)`);
    if (!st.parentExists && !host.checkMode)
      throw host.fail(`Cannot create ${p.path}: its directory does not exist`, "create it first with ensureDir");
    let content: string;
    try {
      content = await renderTemplateFile(resolveLocalPath(p.template), { ...host.vars, ...p.vars });
    } catch (error) {
      throw host.fail(
        error instanceof BosunError ? error.message : String(error),
        "relative template paths start at the directory the playbook runs in",
      );
    }
    const left = placeholderKeys(content, p.placeholders ?? DEFAULT_PLACEHOLDERS);
    if (left.length) {
      throw host.fail(
        `Cannot create ${p.path}: ${left.join(", ")} still hold${left.length === 1 ? "s" : ""} a placeholder value (${(p.placeholders ?? DEFAULT_PLACEHOLDERS).join(", ")})`,
        `set the template's variables for ${left.length === 1 ? "it" : "them"} (e.g. with -e @secrets.yml), or generate secrets in ${p.template} with {{randomSecret}}`,
      );
    }
    const mode = p.mode ?? "0600";
    return changed(
      [
        atomicWrite(p.path, content, {
          mode,
          ...(p.owner ? { owner: p.owner } : {}),
          ...(p.group ? { group: p.group } : {}),
          expect: "absent",
        }),
      ],
      {
        message: `create ${p.path} from ${p.template} (mode ${mode})`,
      },
    );
  },
});
