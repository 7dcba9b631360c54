/** kernelModule: a kernel module is loaded now (modprobe) and at boot (/etc/modules-load.d). */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { taskParams, required, optional, matching, bool, oneOf, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { inlineWrite } from "./inline-write.js";

/** Parameters for {@link kernelModule}. */
export const kernelModuleParams = taskParams({
  name: required(matching("^[A-Za-z0-9_-]+$"), "The module, e.g. `br_netfilter` or `wireguard` (`-` and `_` are the same to the kernel)."),
  state: optional(oneOf("present", "absent"), {
    description: "present: loaded and listed for boot; absent: unloaded (`modprobe -r`) and its boot file removed.",
    default: "present",
  }),
  persistent: optional(bool, {
    description: "Keep `/etc/modules-load.d/<name>.conf` so systemd-modules-load loads it at boot.",
    default: true,
  }),
  load: optional(bool, {
    description: "Load (or unload) it now as well. Containers cannot: set false there.",
    default: true,
  }),
});
/** Parameters for {@link kernelModule}. */
export type KernelModuleParams = Static<typeof kernelModuleParams>;

/** What the probe found: whether the kernel has the module now, and the boot file's content. */
interface ModuleState {
  readonly live: boolean;
  readonly file: string | undefined;
}

/** One command: `/sys/module/<name>` (loaded or built in), then the boot file. */
function probe(name: string, file: string): Command {
  const mod = name.replace(/-/g, "_");
  return sh`if [ -d ${`/sys/module/${mod}`} ]; then echo live; else echo absent; fi; if [ -f ${file} ]; then echo file; cat -- ${file}; else echo nofile; fi`;
}

function parseProbe(stdout: string): ModuleState {
  const [live, kind, ...rest] = stdout.split("\n");
  return { live: live === "live", file: kind === "file" ? rest.join("\n") : undefined };
}

/**
 * Load a kernel module now (`modprobe`, unless `load: false`) and at boot (a one-line
 * `/etc/modules-load.d/<name>.conf`, unless `persistent: false`), or unload it and remove that
 * file. The check reads `/sys/module` and the file in one command.
 * @example kernelModule({ name: "br_netfilter" })
 */
export const kernelModule = defineTask<KernelModuleParams>({
  id: "system.kernelModule",
  description: "A kernel module is loaded now (modprobe) and at boot (/etc/modules-load.d/<name>.conf), or unloaded and its file removed.",
  title: (p) => `kernel module ${p.name}${p.state === "absent" ? " absent" : ""}`,
  schema: kernelModuleParams,
  validate: (p) =>
    p.load === false && p.persistent === false ? `parameters "load" and "persistent" are both false: nothing to do` : undefined,
  async check(host, p) {
    const file = `/etc/modules-load.d/${p.name}.conf`;
    const r = await host.exec(probe(p.name, file));
    if (r.code !== 0) throw host.fail(`Cannot read the state of kernel module ${p.name}: ${r.stderr.trim() || `exit ${r.code}`}`);
    const st = parseProbe(r.stdout);
    const present = (p.state ?? "present") === "present";
    const commands: Command[] = [];
    const words: string[] = [];
    const diff: Diff[] = [];
    const wantFile = present && p.persistent !== false ? `${p.name}\n` : undefined;
    if (wantFile !== undefined && st.file !== wantFile) {
      commands.push(inlineWrite(file, wantFile, { mode: "0644", owner: "root", group: "root" }));
      words.push(`${st.file === undefined ? "write" : "rewrite"} ${file}`);
      diff.push({ label: file, before: st.file, after: wantFile });
    }
    if (!present && st.file !== undefined) {
      commands.push(sh`rm -f -- ${file}`);
      words.push(`remove ${file}`);
      diff.push({ label: file, before: st.file, after: undefined });
    }
    if (p.load !== false && st.live !== present) {
      commands.push(present ? sh`modprobe -- ${p.name}` : sh`modprobe -r -- ${p.name}`);
      words.push(`${present ? "load" : "unload"} ${p.name}`);
      diff.push({ label: `${p.name} (live)`, before: st.live ? "loaded\n" : undefined, after: present ? "loaded\n" : undefined });
    }
    if (!commands.length) {
      const held = [
        p.load !== false && (present ? "loaded" : "not loaded"),
        present ? wantFile && "listed for boot" : "not listed for boot",
      ];
      return unchanged(`${p.name}: ${held.filter(Boolean).join(", ")}`);
    }
    return changed(commands, { message: words.join("; "), diff });
  },
});
