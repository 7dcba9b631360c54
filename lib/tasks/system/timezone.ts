/** timezone: the host's time zone (/etc/localtime, and /etc/timezone where Debian keeps it). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, required, matching, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import { timezoneState } from "../../facts/system.js";

/** Parameters for {@link timezone}. */
export const timezoneParams = taskParams({
  name: required(matching("^(?!.*\\.\\.)[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$"), "An IANA zone name such as `Europe/Berlin` or `Etc/UTC`."),
});
/** Parameters for {@link timezone}. */
export type TimezoneParams = Static<typeof timezoneParams>;

/**
 * Set the time zone: `timedatectl set-timezone` where it works, else the /etc/localtime link; and
 * /etc/timezone (when the file exists, as on Debian up to bookworm) so that both agree. A zone
 * missing from /usr/share/zoneinfo is an error before anything changes.
 * @example timezone({ name: "Europe/Berlin" })
 */
export const timezone = defineTask<TimezoneParams>({
  id: "system.timezone",
  description: "The time zone: timedatectl set-timezone (else the /etc/localtime link) and /etc/timezone.",
  title: (p) => `timezone ${p.name}`,
  schema: timezoneParams,
  async check(host, p) {
    const st = await host.fact(timezoneState, p.name);
    const fileOk = st.timezoneFile === undefined || st.timezoneFile === p.name;
    if (st.localtime === p.name && fileOk) return unchanged(`time zone is ${p.name}`);
    if (!st.known) {
      throw host.fail(
        `Cannot set time zone ${p.name}: /usr/share/zoneinfo/${p.name} does not exist`,
        "check the name (timedatectl list-timezones), or install tzdata first",
      );
    }
    const commands: Command[] = [];
    if (st.localtime !== p.name) {
      commands.push(
        st.timedatectl
          ? sh`timedatectl set-timezone -- ${p.name} || ln -sfn -- /usr/share/zoneinfo/${p.name} /etc/localtime`
          : sh`ln -sfn -- /usr/share/zoneinfo/${p.name} /etc/localtime`,
      );
    }
    if (st.timezoneFile !== undefined && st.timezoneFile !== p.name) commands.push(sh`printf '%s\\n' ${p.name} > /etc/timezone`);
    const was = st.localtime ?? "unknown";
    return changed(commands, {
      message: `set time zone ${p.name} (was ${was}${!fileOk ? `, /etc/timezone ${st.timezoneFile}` : ""})`,
      diff: {
        label: "timezone",
        before: { localtime: st.localtime, timezone: st.timezoneFile },
        after: { localtime: p.name, timezone: st.timezoneFile === undefined ? undefined : p.name },
      },
    });
  },
});
