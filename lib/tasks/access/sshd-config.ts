/** sshdConfig: a drop-in in /etc/ssh/sshd_config.d, validated with the whole configuration, reloaded on change, never locking the operator out. */
import { raw, sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, typed, matching, nonEmpty, bool, oneOf, record, type Static } from "../../core/params.js";
import { changed, defineTask, unchanged, type Prerequisite, type TaskHost } from "../../core/task.js";
import { SSHD_DROP_IN_DIR, sshdDropIn, sshdTrialScript, type SshdDropInState } from "../../facts/sshd.js";
import { atomicWrite } from "../files/atomic-write.js";
import { dropInNameProblem } from "./names.js";
import { loginVerdict, lockoutReason } from "./sshd-access.js";
import { effectiveChanges, overriddenSettings, renderSshdDropIn, sshdSettingsProblem, type SshdSettings } from "./sshd-settings.js";

/**
 * The shell that reloads sshd when it runs (systemd, or SIGHUP without it; a no-op when it is
 * stopped), then waits (at most 10 s) until sshd listens again: on SIGHUP sshd closes its sockets
 * and re-executes itself, and a connection made in that moment is reset. The wait watches the
 * listening sockets' inodes (`ss -e`) until a whole new set is there.
 */
export function reloadSshdCommand(service: string): Command {
  const socks = `ss -Hltnpe 2>/dev/null | grep '"sshd"' | grep -o 'ino:[0-9]*' | sort | tr '\\n' ' '`;
  const wait = `n=$(${socks}); i=0; while [ "$i" -lt 100 ] && { [ -z "$n" ] || [ "$n" = "$o" ] || [ "$(echo $n | wc -w)" != "$(echo $o | wc -w)" ]; }; do sleep 0.1; i=$((i + 1)); n=$(${socks}); done`;
  return sh`o=$(${raw(socks)}); if [ -d /run/systemd/system ]; then systemctl try-reload-or-restart ${service}; elif [ -s /run/sshd.pid ]; then kill -HUP "$(cat /run/sshd.pid)"; fi && if [ -n "$o" ]; then ${raw(wait)}; fi`;
}

/** Throw when the change would leave the session's user unable to log in again. */
function guardLockout(host: TaskHost, target: { st: SshdDropInState; p: SshdConfigParams; dest: string }): LockoutVerdict {
  const { st, p, dest } = target;
  const who = { user: st.loginUser, groups: st.loginGroups, password: st.password };
  const now = loginVerdict(st.now.effective, { ...who, keyFiles: st.now.keyFiles });
  const next = loginVerdict(st.trial.effective, { ...who, keyFiles: st.trial.keyFiles });
  const reason = lockoutReason(now, next, st.sessionMethod);
  if (!reason) return {};
  const admins = st.keyUsers.filter((k) => k.sudo).map((k) => k.user);
  const message = `Cannot apply ${dest}: ${st.loginUser} (this session's user) could no longer log in over SSH: ${reason}`;
  if (st.loginUser === "root") {
    if (p.allowRootLockout && admins.length) {
      return { note: `root can no longer log in over SSH (${reason}); log in as ${admins.join(" or ")} from now on` };
    }
    // The admin an earlier task of the run would create (bootstrap's deploy user) may not exist yet.
    if (p.allowRootLockout) {
      const missing = "no other user has both an authorized key and sudo";
      const hint = "first create one (roles/deploy-user: a user, its authorized key and a sudo drop-in)";
      return { note: `root could no longer log in over SSH (${reason})`, needs: [{ doing: message, missing, hint }] };
    }
    if (admins.length) {
      throw host.fail(message, `log in as ${admins.join(" or ")} (authorized key and sudo) and run again, or set allowRootLockout: true`);
    }
    throw host.fail(
      `${message}; and no other user has both an authorized key and sudo`,
      "first create one (roles/deploy-user: a user, its authorized key and a sudo drop-in), then log in as it or set allowRootLockout: true",
    );
  }
  throw host.fail(
    message,
    st.sessionMethod?.startsWith("password") || st.sessionMethod?.startsWith("keyboard")
      ? "install your public key with authorizedKey and connect with it before turning passwords off"
      : "keep a way in for this user (an authorized key, or the setting as it is)",
  );
}

/** What the lockout guard says: a note for the plan, or the admin user it needs. */
interface LockoutVerdict {
  readonly note?: string;
  readonly needs?: readonly Prerequisite[];
}

/** Throw when sshd or its drop-in directory cannot be used, or the drop-in's path holds something else. */
function refuseUnusable(host: TaskHost, st: SshdDropInState, dest: string): void {
  if (!st.installed) {
    throw host.fail(
      `Cannot use ${dest}: sshd is not installed (no sshd or no /etc/ssh/sshd_config)`,
      `install it first, e.g. apt({ names: "openssh-server" })`,
    );
  }
  if (!st.includesDropIns) {
    throw host.fail(
      `Cannot use ${dest}: /etc/ssh/sshd_config does not include ${SSHD_DROP_IN_DIR}/*.conf`,
      `add "Include ${SSHD_DROP_IN_DIR}/*.conf" at the top of /etc/ssh/sshd_config (Debian 11+ and Ubuntu 20.04+ have it)`,
    );
  }
  if (st.file.kind === "link" || st.file.kind === "dir" || st.file.kind === "other") {
    const what = st.file.kind === "link" ? "symbolic link" : st.file.kind === "dir" ? "directory" : "special file";
    throw host.fail(`Cannot write ${dest}: it is a ${what}`, "remove it first");
  }
}

/** Throw when sshd rejects the configuration with the change, or another file overrides a setting. */
function refuseInvalid(
  host: TaskHost,
  target: { st: SshdDropInState; p: SshdConfigParams; dest: string; content: string | undefined },
): void {
  const { st, p, dest, content } = target;
  if (!st.trial.valid) {
    const [verb, prep] = content === undefined ? ["remove", "without"] : ["write", "with"];
    throw host.fail(
      `Cannot ${verb} ${dest}: sshd -t rejects the configuration ${prep} it:\n${st.trial.errors || "(no message)"}`,
      "check the keyword names and values against sshd_config(5)",
    );
  }
  if (content === undefined) return;
  const overridden = overriddenSettings(p.settings as SshdSettings, st.trial.effective);
  if (!overridden.length) return;
  const earlier = st.dropIns.filter((f) => f < `${p.name}.conf`);
  throw host.fail(
    `Cannot apply ${dest}: sshd would use ${overridden.join(", ")}: a file it reads earlier sets them, and sshd keeps the first value it reads`,
    `sshd_config includes ${SSHD_DROP_IN_DIR}/*.conf in name order near its top; read before this one: ${earlier.length ? earlier.join(", ") : "none (so sshd_config itself sets them before its Include)"}. Name the drop-in so it sorts first (e.g. "00-${p.name.replace(/^\d+-/, "")}"), or change the earlier file`,
  );
}

/** The one apply command: write (validated with the whole configuration) or remove, then reload. */
function applyStep(p: SshdConfigParams, dest: string, content: string | undefined): Command {
  const reload = p.reload === false ? raw(":") : reloadSshdCommand(p.service ?? "ssh");
  const tryConfig = (candidate: string | undefined): string => sshdTrialScript(p.name, candidate, `sshd -t -f "$T/sshd_config"`);
  if (content === undefined) return sh`PATH="$PATH:/usr/sbin:/sbin"; ${raw(tryConfig(undefined))} && rm -f -- ${dest} && { ${reload}\n}`;
  const write = atomicWrite(dest, content, { mode: "0644", owner: "root", group: "root", validate: tryConfig("%s") });
  return {
    ...write,
    text: `PATH="$PATH:/usr/sbin:/sbin"\n${write.text} || exit 1\n${reload.text}`,
    label: `${write.label}${p.reload === false ? "" : `; reload ${p.service ?? "ssh"}`}`,
  };
}

/** Parameters for {@link sshdConfig}. */
export const sshdConfigParams = taskParams({
  name: required(
    nonEmpty,
    "Drop-in name; the file is `/etc/ssh/sshd_config.d/<name>.conf`. sshd keeps the FIRST value it reads for a keyword and Debian's sshd_config includes the drop-ins (sorted by name) at its top, so a drop-in wins over those that sort after it: use a name like `00-hardening` to beat `50-cloud-init.conf`. The task fails when another file overrides one of the settings.",
  ),
  settings: optional(
    typed<SshdSettings>(
      record(
        typed<unknown>({ anyOf: [{ type: ["string", "number", "boolean"] }, { type: "array", items: { type: ["string", "number"] } }] }),
      ),
    ),
    'Keywords and values, e.g. `{ PermitRootLogin: "prohibit-password", PasswordAuthentication: false }`.',
  ),
  state: optional(oneOf("present", "absent"), {
    description: "`present` or `absent` (the drop-in removed, after checking the rest still validates).",
    default: "present",
  }),
  reload: optional(bool, {
    description: "Reload sshd when the drop-in changed; false when a handler does it (roles/ssh-hardening).",
    default: true,
  }),
  service: optional(matching("^[A-Za-z0-9_.@-]+$"), 'The sshd unit to reload ("ssh", Debian\'s name).'),
  allowRootLockout: optional(
    bool,
    "Let root (the session's user) lose its SSH access, e.g. `PermitRootLogin no` during a bootstrap run as root. Still refused unless another user has an authorized key and sudo.",
  ),
});
/** Parameters for {@link sshdConfig}. */
export type SshdConfigParams = Static<typeof sshdConfigParams>;

/**
 * Ensure an sshd drop-in holds these settings. Before anything is written, the whole configuration
 * with the new drop-in in its place is tried on a copy (`sshd -t`, then `sshd -T` for the session's
 * user): invalid settings, settings another file overrides, and changes that would leave the
 * session's user unable to log in (root with `PermitRootLogin no`, passwords off for a session
 * that logged in by password, a user without keys) are refused. The file is then written
 * atomically (validated again in place) and sshd reloaded, in one command; an unchanged drop-in
 * costs one command and no reload.
 * @example sshdConfig({ name: "00-hardening", settings: { PermitRootLogin: "prohibit-password", PasswordAuthentication: false, KbdInteractiveAuthentication: false } })
 * @example sshdConfig({ name: "10-keepalive", settings: { ClientAliveInterval: 60, ClientAliveCountMax: 3 } })
 * @example sshdConfig({ name: "00-hardening", settings: { PermitRootLogin: "no" }, allowRootLockout: true })
 */
export const sshdConfig = defineTask<SshdConfigParams>({
  id: "access.sshdConfig",
  description:
    "An sshd drop-in in /etc/ssh/sshd_config.d, tried with the whole configuration (sshd -t) before it is written, reloaded on change, never locking out the session's user.",
  title: (p) => `sshd_config.d/${p.name}.conf${p.state === "absent" ? " absent" : ""}`,
  schema: sshdConfigParams,
  validate: (p) => {
    const nameProblem = dropInNameProblem("name", p.name);
    if (nameProblem) return nameProblem;
    if (p.state === "absent") return p.settings === undefined ? undefined : `parameter "settings" does not apply with state "absent"`;
    if (p.settings === undefined) return `parameter "settings" is required with state "present"`;
    return sshdSettingsProblem(p.settings);
  },
  async check(host, p) {
    const dest = `${SSHD_DROP_IN_DIR}/${p.name}.conf`;
    const content = p.state === "absent" ? undefined : renderSshdDropIn(p.name, p.settings as SshdSettings);
    const st = await host.fact(sshdDropIn, { name: p.name, candidate: content });
    refuseUnusable(host, st, dest);
    const attrsOk = st.file.kind === "file" && st.file.mode === "0644" && st.file.uid === 0 && st.file.gid === 0;
    if (content === undefined ? st.file.kind === "absent" : st.content === content && attrsOk) {
      return unchanged(content === undefined ? `${dest} does not exist` : `${dest} is up to date`);
    }
    if (content !== undefined && st.content === content) {
      return changed([sh`chown root:root -- ${dest} && chmod 0644 -- ${dest}`], { message: `${dest}: owner root:root, mode 0644` });
    }
    refuseInvalid(host, { st, p, dest, content });
    const { note, needs } = guardLockout(host, { st, p, dest });
    const effect = effectiveChanges(st.now.effective, st.trial.effective);
    const summary = effect.length ? effect.join("; ") : "no effective change for this user";
    return changed([applyStep(p, dest, content)], {
      message: `${content === undefined ? "remove" : st.file.kind === "absent" ? "create" : "update"} ${dest}: ${summary}${note ? `; ${note}` : ""}`,
      diff: { label: dest, before: st.content, after: content },
      needs,
    });
  },
});
