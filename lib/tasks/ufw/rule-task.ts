/** The check shared by ufwAllow, ufwDeny and ufwLimit: read ufw's rules, add or delete one rule. */
import { defineTask, changed, unchanged, type Task, type TaskHost } from "../../core/task.js";
import { raw, sh } from "../../core/command.js";
import { ufwState, type UfwState } from "../../facts/ufw.js";
import {
  describeRule,
  expectedRules,
  formatRule,
  ruleArgs,
  ruleProblem,
  ruleSatisfied,
  rulesAfterAdd,
  rulesAfterDelete,
  sameRule,
  type UfwAction,
  ufwRuleParams,
  type UfwRuleParams,
} from "./rule-spec.js";
import { guardSsh, guardedSsh } from "./ssh-guard.js";
import { DOCKER_FILTER_RESYNC } from "./docker-filter-files.js";

/** After a rule changed: reload the docker filter where the firewall role installed it, so published ports follow at once. */
const resync = raw(DOCKER_FILTER_RESYNC);

/** JSON Schema of {@link UfwRuleParams} (declared once, in rule-spec.ts). */
export const UFW_RULE_SCHEMA = ufwRuleParams;

/** ufw's state as a task plans with it; `pending` when ufw is not installed yet (check mode only). */
export type PlannedUfw = Extract<UfwState, { installed: true }> & { readonly pending?: string };

/** What a freshly installed Debian ufw looks like: planned against in check mode before ufw is installed. */
const FRESH_UFW: PlannedUfw = {
  installed: true,
  enabled: false,
  running: false,
  ipv6: true,
  defaults: { incoming: "deny", outgoing: "allow", routed: "deny" },
  rules: [],
  pending: "ufw is not installed yet: applying fails unless an earlier task installs it",
};

/**
 * ufw's state, failing the task with a hint when ufw is not installed (in check mode, the state of a
 * fresh install with a `pending` note instead: an earlier task of the run may install it).
 */
export async function readUfw(host: TaskHost, doing: string): Promise<PlannedUfw> {
  let st: UfwState;
  try {
    st = await host.fact(ufwState, undefined);
  } catch (error) {
    throw host.fail(`Cannot ${doing}: ${(error as Error).message}`, "run the task with sudo: true (ufw's files are root's)");
  }
  if (st.installed) return st;
  if (host.checkMode) return FRESH_UFW;
  throw host.fail(`Cannot ${doing}: ufw is not installed`, 'install it first, e.g. apt({ names: "ufw" }) or the firewall role');
}

/** A plan message with the notes (pending install, SSH warning) that apply. */
export function withNotes(message: string, ...notes: readonly (string | undefined)[]): string {
  const present = notes.filter((n): n is string => !!n);
  return present.length ? `${message} (${present.join("; ")})` : message;
}

/** Define the rule task for one action (`ufw.allow`, `ufw.deny`, `ufw.limit`). */
export function defineUfwRuleTask(action: UfwAction, description: string): Task<UfwRuleParams> {
  return defineTask<UfwRuleParams>({
    id: `ufw.${action}`,
    description,
    title: (p) => `ufw ${p.state === "absent" ? "no rule " : ""}${describeRule(action, p)}`,
    schema: UFW_RULE_SCHEMA,
    validate: ruleProblem,
    async check(host, p) {
      const desc = describeRule(action, p);
      const st = await readUfw(host, `${p.state === "absent" ? "delete" : "add"} ufw rule "${desc}"`);
      const wanted = expectedRules(action, p, st.ipv6);
      const before = { enabled: st.enabled, incoming: st.defaults.incoming, rules: st.rules };
      const ssh = guardedSsh(st.ssh, host.vars);
      if (p.state === "absent") {
        const present = st.rules.filter((r) => wanted.some((w) => sameRule(r, w) && r.action === w.action));
        if (!present.length) return unchanged(`no rule ${desc}`);
        const warning = guardSsh(host, ssh, before, { ...before, rules: rulesAfterDelete(st.rules, wanted) }, `delete ufw rule "${desc}"`);
        return changed([sh`ufw delete ${ruleArgs(action, p, false)} && ${resync}`], {
          diff: { label: "ufw rules", before: present.map(formatRule).join("\n") + "\n", after: "" },
          message: withNotes(`delete rule ${desc}`, warning),
        });
      }
      const missing = wanted.filter((w) => !st.rules.some((r) => ruleSatisfied(w, r)));
      if (!missing.length) return unchanged(`rule ${desc} is present`);
      const warning = guardSsh(
        host,
        ssh,
        before,
        { ...before, rules: rulesAfterAdd(st.rules, wanted) },
        `add ufw rule "${desc}"`,
        `allow SSH first, e.g. ufwAllow({ port: ${ssh?.port ?? 22}, proto: "tcp" })`,
      );
      const replaced = st.rules.filter((r) => missing.some((w) => sameRule(r, w)));
      return changed([sh`ufw ${ruleArgs(action, p, true)} && ${resync}`], {
        diff: {
          label: "ufw rules",
          before: replaced.map(formatRule).join("\n") + (replaced.length ? "\n" : ""),
          after: missing.map(formatRule).join("\n") + "\n",
        },
        message: withNotes(`${replaced.length ? "update" : "add"} rule ${desc}`, st.pending, warning),
      });
    },
  });
}
