/** The check shared by ufwAllow, ufwDeny and ufwLimit: read ufw's rules, add or delete one rule. */
import { defineTask, changed, needing, unchanged, type Prerequisite, type Task, type TaskHost } from "../../core/task.js";
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

/** ufw's state as a task plans with it; `need` when ufw is not installed yet (planned as a fresh install). */
export type PlannedUfw = Extract<UfwState, { installed: true }> & { readonly need?: Prerequisite };

/** What a freshly installed Debian ufw looks like: planned against before ufw is installed. */
const FRESH_UFW: PlannedUfw = {
  installed: true,
  enabled: false,
  running: false,
  ipv6: true,
  defaults: { incoming: "deny", outgoing: "allow", routed: "deny" },
  rules: [],
};

/**
 * ufw's state. When ufw is not installed, the state of a fresh install with a prerequisite `need`:
 * the runner fails the task when applying, and notes it under --check (an earlier task may install it).
 */
export async function readUfw(host: TaskHost, doing: string): Promise<PlannedUfw> {
  let st: UfwState;
  try {
    st = await host.fact(ufwState, undefined);
  } catch (error) {
    throw host.fail(`Cannot ${doing}: ${(error as Error).message}`, "run the task with sudo: true (ufw's files are root's)");
  }
  if (st.installed) return st;
  const need = {
    missing: "ufw is not installed",
    doing: `Cannot ${doing}`,
    hint: 'install it first, e.g. apt({ names: "ufw" }) or the firewall role',
  };
  return { ...FRESH_UFW, need };
}

/** The prerequisites that are set, for {@link needing}. */
export function present(...needs: readonly (Prerequisite | undefined)[]): Prerequisite[] {
  return needs.filter((n): n is Prerequisite => n !== undefined);
}

/** Define the rule task for one action (`ufw.allow`, `ufw.deny`, `ufw.limit`). */
export function defineUfwRuleTask(action: UfwAction, description: string): Task<UfwRuleParams> {
  return defineTask<UfwRuleParams>({
    id: `ufw.${action}`,
    description,
    title: (p) => `ufw ${p.state === "absent" ? "no rule " : ""}${describeRule(action, p)}`,
    schema: UFW_RULE_SCHEMA,
    validate: ruleProblem,
    check: (host, p) => planRule(host, action, p),
  });
}

/** The plan of one rule task: add or delete the rule, needing ufw installed and SSH still allowed afterwards. */
async function planRule(host: TaskHost, action: UfwAction, p: UfwRuleParams) {
  const desc = describeRule(action, p);
  const st = await readUfw(host, `${p.state === "absent" ? "delete" : "add"} ufw rule "${desc}"`);
  const wanted = expectedRules(action, p, st.ipv6);
  const before = { enabled: st.enabled, incoming: st.defaults.incoming, rules: st.rules };
  const ssh = guardedSsh(st.ssh, host.vars);
  if (p.state === "absent") {
    const existing = st.rules.filter((r) => wanted.some((w) => sameRule(r, w) && r.action === w.action));
    if (!existing.length) return needing(unchanged(`no rule ${desc}`), present(st.need));
    const guard = guardSsh({
      ssh,
      before,
      after: { ...before, rules: rulesAfterDelete(st.rules, wanted) },
      doing: `delete ufw rule "${desc}"`,
    });
    const plan = changed([sh`ufw delete ${ruleArgs(action, p, false)} && ${resync}`], {
      diff: { label: "ufw rules", before: existing.map(formatRule).join("\n") + "\n", after: "" },
      message: `delete rule ${desc}`,
    });
    return needing(plan, present(st.need, guard));
  }
  const missing = wanted.filter((w) => !st.rules.some((r) => ruleSatisfied(w, r)));
  if (!missing.length) return needing(unchanged(`rule ${desc} is present`), present(st.need));
  const guard = guardSsh({
    ssh,
    before,
    after: { ...before, rules: rulesAfterAdd(st.rules, wanted) },
    doing: `add ufw rule "${desc}"`,
    hint: `allow SSH first, e.g. ufwAllow({ port: ${ssh?.port ?? 22}, proto: "tcp" })`,
  });
  const replaced = st.rules.filter((r) => missing.some((w) => sameRule(r, w)));
  const plan = changed([sh`ufw ${ruleArgs(action, p, true)} && ${resync}`], {
    diff: {
      label: "ufw rules",
      before: replaced.map(formatRule).join("\n") + (replaced.length ? "\n" : ""),
      after: missing.map(formatRule).join("\n") + "\n",
    },
    message: `${replaced.length ? "update" : "add"} rule ${desc}`,
  });
  return needing(plan, present(st.need, guard));
}
