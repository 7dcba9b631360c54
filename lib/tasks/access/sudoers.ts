/** sudoers: a drop-in in /etc/sudoers.d, checked with `visudo -cf` before it goes live. */
import { sh } from "../../core/command.js";
import { taskParams, required, optional, typed, nonEmpty, account, bool, oneOf, list, type Static } from "../../core/params.js";
import { changed, defineTask, unchanged } from "../../core/task.js";
import { pathState } from "../../facts/files.js";
import { planFileWrite, requireFileOrAbsent } from "../files/file-plan.js";
import { dropInNameProblem } from "./names.js";
import { renderSudoRule, sudoCommandsProblem } from "./sudoers-content.js";

const RULE_PARAMS = ["user", "group", "commands", "runAs", "nopasswd"] as const;

function sudoersProblem(p: SudoersParams): string | undefined {
  const nameProblem = dropInNameProblem("name", p.name);
  if (nameProblem) return nameProblem;
  const ruleParam = RULE_PARAMS.find((k) => p[k] !== undefined);
  if (p.state === "absent")
    return ruleParam || p.content !== undefined ? `parameters of the rule and "content" do not apply with state "absent"` : undefined;
  if (p.content !== undefined) return ruleParam ? `give either "content" or a rule ("${ruleParam}"), not both` : undefined;
  if ((p.user === undefined) === (p.group === undefined)) return `give exactly one of parameters "user" and "group" (or "content")`;
  if (p.runAs !== undefined && !/^[A-Za-z0-9_%#.:-]+$/.test(p.runAs))
    return `parameter "runAs" must look like "ALL", "root" or "ALL:ALL": ${JSON.stringify(p.runAs)}`;
  return sudoCommandsProblem(p.commands);
}

/** Parameters for {@link sudoers}. Give `user` or `group` (a rule), or `content` (raw sudoers text). */
export const sudoersParams = taskParams({
  name: required(nonEmpty, 'File name in /etc/sudoers.d: letters, digits, "_" and "-" (sudo skips names with a dot).'),
  user: optional(account, "The user the rule is for."),
  group: optional(account, "The group the rule is for (`%group`)."),
  commands: optional(typed<string | readonly string[]>({ anyOf: [nonEmpty, { ...list(nonEmpty), minItems: 1 }] }), {
    description: 'Commands allowed: "ALL" or absolute paths with arguments.',
    default: "ALL",
  }),
  runAs: optional(nonEmpty, { description: "Run as whom: `ALL:ALL`, `root`, `www-data`...", default: "ALL:ALL" }),
  nopasswd: optional(bool, "Allow without a password (`NOPASSWD:`)."),
  content: optional(nonEmpty, "Raw sudoers text instead of a rule (validated like a rule)."),
  state: optional(oneOf("present", "absent"), { description: "`present` or `absent`.", default: "present" }),
});
/** Parameters for {@link sudoers}. Give `user` or `group` (a rule), or `content` (raw sudoers text). */
export type SudoersParams = Static<typeof sudoersParams>;

/**
 * Ensure a sudoers drop-in `/etc/sudoers.d/<name>` (root, 0440) holds this rule or content. The new
 * text is checked with `visudo -cf` on a temp file and only then renamed into place: invalid
 * content fails the task and leaves the old file as it was. One command to check, one to apply.
 * @example sudoers({ name: "deploy", user: "deploy", nopasswd: true })
 * @example sudoers({ name: "ops-restart", group: "ops", commands: ["/usr/bin/systemctl restart app"], nopasswd: true })
 * @example sudoers({ name: "defaults", content: "Defaults:deploy !requiretty\n" })
 * @example sudoers({ name: "old", state: "absent" })
 */
export const sudoers = defineTask<SudoersParams>({
  id: "access.sudoers",
  description: "A sudoers drop-in in /etc/sudoers.d (0440), validated with visudo -cf before it goes live.",
  title: (p) => `sudoers.d/${p.name}${p.state === "absent" ? " absent" : ""}`,
  schema: sudoersParams,
  validate: sudoersProblem,
  async check(host, p) {
    const path = `/etc/sudoers.d/${p.name}`;
    const st = requireFileOrAbsent(host, await host.fact(pathState, { path, content: true }), {
      file: path,
      what: "write sudoers drop-in",
    });
    if (p.state === "absent") {
      if (st.kind === "absent") return unchanged(`${path} does not exist`);
      return changed([sh`rm -f -- ${path}`], { message: `remove ${path}`, diff: { label: path, before: st.content, after: undefined } });
    }
    const raw = p.content === undefined ? renderSudoRule(p.name, p) : p.content.endsWith("\n") ? p.content : `${p.content}\n`;
    // The echo says which drop-in visudo rejected; `%s` is the temp file, quoted by atomicWrite.
    const validate = `visudo -cf %s || { echo ${sh`${`bosun: visudo rejected the new content of ${path}; the old file is kept`}`.text}; false; }`;
    const plan = planFileWrite(host, st, { path, content: raw, owner: "root", group: "root", mode: "0440", validate });
    if (st.kind !== "absent" || st.parentExists) return plan;
    const hint = `install sudo first, e.g. apt({ names: "sudo" })`;
    return { ...plan, needs: [{ doing: `Cannot write ${path}`, missing: "/etc/sudoers.d does not exist (is sudo installed?)", hint }] };
  },
});
