/** sysctl: a kernel parameter set persistently in /etc/sysctl.d and, optionally, live. */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, required, optional, typed, matching, bool, oneOf, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { normaliseSysctl, sysctlState } from "../../facts/system.js";
import { applyLineInFile } from "../files/line-in-file.js";
import { inlineWrite } from "./inline-write.js";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The regexp matching the key's lines in a sysctl.d file (`key = v`, `key=v`, `-key = v`). */
export function sysctlLinePattern(key: string): string {
  return `^\\s*-?${escapeRegExp(key)}\\s*=`;
}

/** Parameters for {@link sysctl}. */
export const sysctlParams = taskParams({
  key: required(matching("^[A-Za-z0-9_][A-Za-z0-9_./-]*$"), "The kernel parameter, e.g. `net.ipv4.ip_forward` or `vm.swappiness`."),
  value: optional(
    typed<string | number>({ anyOf: [{ type: "string", pattern: "^[^\\n\\r=#;]*\\S[^\\n\\r=#;]*$" }, { type: "number" }] }),
    "Its value (several numbers separated by spaces where the key takes several). Required unless absent.",
  ),
  name: optional(matching("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"), {
    description: "The drop-in: `/etc/sysctl.d/<name>.conf` (default `99-bosun`); several keys may share one.",
    default: "99-bosun",
  }),
  state: optional(oneOf("present", "absent"), {
    description: "present: the line is in the file; absent: it is not (the live value is left alone).",
    default: "present",
  }),
  apply: optional(bool, {
    description: "Also set the live value with `sysctl -w` (default true). Containers usually cannot: set false there.",
    default: true,
  }),
});
/** Parameters for {@link sysctl}. */
export type SysctlParams = Static<typeof sysctlParams>;

/**
 * Set a kernel parameter: the line `key = value` in `/etc/sysctl.d/<name>.conf` (read at boot by
 * systemd-sysctl) and, unless `apply: false`, the live value with `sysctl -w key=value` (only this
 * key, so another bad line in the same file cannot fail this task). The check compares both, in
 * one command. Lab hosts (containers) keep /proc/sys read-only: there only `apply: false` works.
 * @example sysctl({ key: "net.ipv4.ip_forward", value: 1, name: "60-forwarding" })
 */
export const sysctl = defineTask<SysctlParams>({
  id: "system.sysctl",
  description: "A kernel parameter in /etc/sysctl.d/<name>.conf, and live with sysctl -w unless apply is false.",
  title: (p) => `sysctl ${p.key}${p.value === undefined ? "" : `=${p.value}`}`,
  schema: sysctlParams,
  validate: (p) => ((p.state ?? "present") === "present" && p.value === undefined ? `missing required parameter "value"` : undefined),
  async check(host, p) {
    const file = `/etc/sysctl.d/${p.name ?? "99-bosun"}.conf`;
    const st = await host.fact(sysctlState, { key: p.key, file });
    if (st.file.kind === "other") throw host.fail(`Cannot edit ${file}: it is not a regular file`);
    const before = st.file.kind === "file" ? (st.file.content?.toString("utf8") ?? "") : "";
    const commands: Command[] = [];
    const words: string[] = [];
    const diff: Diff[] = [];
    const present = (p.state ?? "present") === "present";
    const value = present ? normaliseSysctl(p.value as string | number) : "";
    const edit = present
      ? applyLineInFile(before, { regexp: sysctlLinePattern(p.key), line: `${p.key} = ${value}` })
      : applyLineInFile(before, { regexp: sysctlLinePattern(p.key), state: "absent" });
    if (edit.changed) {
      const expect = st.file.kind === "file" ? { sha256: st.file.sha256 } : ("absent" as const);
      commands.push(inlineWrite(file, edit.content, { mode: "0644", expect }));
      words.push(`${file}: ${edit.message}`);
      diff.push({ label: file, before: st.file.kind === "file" ? before : undefined, after: edit.content });
    }
    if (present && p.apply !== false) {
      if (st.live === undefined)
        throw host.fail(
          `Cannot set ${p.key}: ${st.liveError ?? "the kernel has no such parameter"}`,
          "check the key with `sysctl -a`, or set apply: false",
        );
      if (st.live !== value) {
        commands.push(
          sh`sysctl -q -w ${`${p.key}=${value}`} || { rc=$?; echo 'bosun: the kernel refused the live value (/proc/sys read-only, as in a container? then use apply: false)' >&2; exit "$rc"; }`,
        );
        words.push(`set ${p.key} live (was ${st.live})`);
        diff.push({ label: `${p.key} (live)`, before: `${st.live}\n`, after: `${value}\n` });
      }
    }
    if (!commands.length) return unchanged(present ? `${p.key} = ${value}` : `${p.key} is not in ${file}`);
    return changed(commands, { message: words.join("; "), diff });
  },
});
