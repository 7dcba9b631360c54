/** cron: a scheduled job as its own file in /etc/cron.d. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, required, optional, matching, str, nonEmpty, account, oneOf, record, type Static } from "../../core/params.js";
import { sh } from "../../core/command.js";
import { pathState } from "../../facts/files.js";
import { planFileWrite, requireFileOrAbsent } from "../files/file-plan.js";

const FIELD = matching("^[0-9A-Za-z*/,-]+$");
const FIELDS = ["minute", "hour", "day", "month", "weekday"] as const;

/** The content of `/etc/cron.d/<name>`. */
export function renderCronFile(p: CronParams): string {
  const env = Object.entries(p.env ?? {}).map(([k, v]) => `${k}=${/^[^\s"']+$/.test(v) ? v : `"${v}"`}`);
  const when = p.special ?? FIELDS.map((f) => p[f] ?? "*").join(" ");
  const job = (p.job ?? "").replace(/%/g, "\\%");
  return [`# cron job "${p.name}", managed by bosun: edits here are overwritten`, ...env, `${when} ${p.user ?? "root"} ${job}`, ""].join(
    "\n",
  );
}

function problem(p: CronParams): string | undefined {
  if ((p.state ?? "present") === "absent") return undefined;
  if (p.job === undefined) return `missing required parameter "job"`;
  if (/[\n\r]/.test(p.job)) return `parameter "job" must be one line`;
  if (p.special !== undefined && FIELDS.some((f) => p[f] !== undefined))
    return `give either parameter "special" or the schedule fields, not both`;
  const env = Object.entries(p.env ?? {}).find(([k, v]) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || /[\n\r]/.test(v));
  if (env) return `parameter "env" has an invalid entry ${JSON.stringify(env[0])} (a variable name, a one-line value)`;
  return undefined;
}

/** Parameters for {@link cron}. */
export const cronParams = taskParams({
  name: required(
    matching("^[A-Za-z0-9_-]+$"),
    "File name in /etc/cron.d: letters, digits, `_` and `-` only (cron ignores files with dots).",
  ),
  job: optional(
    nonEmpty,
    "The shell command (one line). `%` is escaped for cron: write `date +%F`, not `date +\\%F`. Required unless absent.",
  ),
  user: optional(account, { description: "User the job runs as.", default: "root" }),
  minute: optional(FIELD, { description: "Minute field (default `*`).", default: "*" }),
  hour: optional(FIELD, { description: "Hour field (default `*`).", default: "*" }),
  day: optional(FIELD, { description: "Day-of-month field (default `*`).", default: "*" }),
  month: optional(FIELD, { description: "Month field (default `*`).", default: "*" }),
  weekday: optional(FIELD, { description: "Day-of-week field (default `*`).", default: "*" }),
  special: optional(
    oneOf("@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"),
    "A special schedule instead of the five fields.",
  ),
  env: optional(record(str), 'Variables set at the top of the file (`MAILTO: ""`, `PATH`, `SHELL`).'),
  state: optional(oneOf("present", "absent"), { description: "present or absent (the file removed).", default: "present" }),
});
/** Parameters for {@link cron}. */
export type CronParams = Static<typeof cronParams>;

/**
 * Schedule a job with cron, as the file `/etc/cron.d/<name>` (root:root, mode 0644, one job per
 * file: the simplest idempotent form, and users' own crontabs stay untouched). Written atomically
 * like {@link ensureFile}; cron picks it up on its own. One command to check, one to apply.
 * @example cron({ name: "certbot-renew", hour: "3", minute: "17", job: "certbot renew -q --no-random-sleep-on-renew" })
 * @example cron({ name: "cleanup", special: "@daily", user: "deploy", job: "find /srv/tmp -mtime +7 -delete", env: { MAILTO: "" } })
 */
export const cron = defineTask<CronParams>({
  id: "system.cron",
  description: "A cron job as /etc/cron.d/<name> (root:root 0644), schedule fields or @special, run as a user.",
  title: (p) => `cron ${p.name}`,
  schema: cronParams,
  validate: problem,
  async check(host, p) {
    const path = `/etc/cron.d/${p.name}`;
    const st = await host.fact(pathState, { path, content: host.diffMode });
    if ((p.state ?? "present") === "absent") {
      if (st.kind === "absent") return unchanged(`${path} is absent`);
      requireFileOrAbsent(host, st, { file: path, what: "remove cron job" });
      return changed([sh`rm -f -- ${path}`], {
        message: `remove ${path}`,
        diff: { label: path, before: st.kind === "file" ? (st.content ?? "present\n") : undefined, after: undefined },
      });
    }
    return planFileWrite(host, requireFileOrAbsent(host, st, { file: path, what: "write cron job" }), {
      path,
      content: renderCronFile(p),
      owner: "root",
      group: "root",
      mode: "0644",
      createParents: true,
    });
  },
});
