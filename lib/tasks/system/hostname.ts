/** hostname: the host's name, persistent (/etc/hostname), live, and resolvable (/etc/hosts 127.0.1.1). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, required, optional, matching, bool, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { hostnameState } from "../../facts/system.js";
import { applyLineInFile } from "../files/line-in-file.js";
import { logInPlaceWrite } from "../files/file-plan.js";
import { inlineWrite } from "./inline-write.js";

const HOSTNAME = "^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

/** The /etc/hosts line for a name: `127.0.1.1\tapp1.example.com app1`, or `127.0.1.1\tapp1`. */
export function hostsLine(name: string): string {
  const short = name.split(".")[0] ?? name;
  return short === name ? `127.0.1.1\t${name}` : `127.0.1.1\t${name} ${short}`;
}

/** Parameters for {@link hostname}. */
export const hostnameParams = taskParams({
  name: required(matching(HOSTNAME), "The name: a short name (`app1`) or a fully qualified one (`app1.example.com`)."),
  hostsEntry: optional(bool, {
    description: "Keep a `127.0.1.1 <fqdn> <short>` line in /etc/hosts, as Debian's installer does (default true).",
    default: true,
  }),
});
/** Parameters for {@link hostname}. */
export type HostnameParams = Static<typeof hostnameParams>;

/**
 * Set the host name: `hostnamectl set-hostname` where it works, else /etc/hostname (written in
 * place: in containers it is a bind mount) and `hostname NAME`; plus the 127.0.1.1 line in
 * /etc/hosts so that the name resolves (sudo complains otherwise). Where /etc/hosts is a bind
 * mount the atomic write falls back to an in-place write (logged under -v): that is expected.
 * @example hostname({ name: "cfa2.example.com" })
 */
export const hostname = defineTask<HostnameParams>({
  id: "system.hostname",
  description: "The host name (hostnamectl, else /etc/hostname + hostname) and its 127.0.1.1 line in /etc/hosts.",
  title: (p) => `hostname ${p.name}`,
  schema: hostnameParams,
  async check(host, p) {
    const st = await host.fact(hostnameState, undefined);
    const commands: Command[] = [];
    const words: string[] = [];
    const diff: Diff[] = [];
    if (st.current !== p.name || st.file !== p.name) {
      commands.push(
        sh`if ! hostnamectl set-hostname -- ${p.name} 2>/dev/null; then printf '%s\\n' ${p.name} > /etc/hostname && hostname -- ${p.name}; fi`,
      );
      words.push(`set hostname ${p.name} (was ${st.current}${st.file !== st.current ? `, /etc/hostname ${st.file || "empty"}` : ""})`);
      diff.push({ label: "hostname", before: `${st.current}\n`, after: `${p.name}\n` });
    }
    if (p.hostsEntry !== false) {
      if (!st.hosts) throw host.fail("Cannot add the 127.0.1.1 line: /etc/hosts does not exist", "create it, or set hostsEntry: false");
      const edit = applyLineInFile(st.hosts.content, {
        regexp: "^127\\.0\\.1\\.1\\s",
        line: hostsLine(p.name),
        insertAfter: "^127\\.0\\.0\\.1\\s",
        firstMatch: true,
      });
      if (edit.changed) {
        commands.push(inlineWrite("/etc/hosts", edit.content, { expect: { sha256: st.hosts.sha256 } }));
        words.push(`/etc/hosts: ${edit.message}`);
        diff.push({ label: "/etc/hosts", before: st.hosts.content, after: edit.content });
      }
    }
    if (!commands.length) return unchanged(`hostname is ${p.name}`);
    return changed(commands, { message: words.join("; "), diff, finish: (results) => (logInPlaceWrite(host, "/etc/hosts", results), {}) });
  },
});
