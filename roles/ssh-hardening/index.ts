/**
 * Role ssh-hardening: root logs in by key only, password and keyboard-interactive login are off,
 * through one sshd drop-in that sorts first (sshd keeps the first value it reads). The drop-in is
 * tried with the whole configuration before it is written and refused when it would lock the
 * session's user out. sshd is reloaded when it changed: at once, or by the play's handler.
 */
import type { Handler } from "../../lib/run/host.js";
import type { TaskResult } from "../../lib/core/task.js";
import { defineRole } from "../../lib/run/role.js";
import { reloadSshd, sshdConfig, type SshdKnownSettings, type SshdSettings } from "../../lib/tasks/access/index.js";

/** The name of the handler in {@link sshHandlers}. */
export const RELOAD_SSH = "reload ssh";

/** Handlers for a play that runs this role with `handler: RELOAD_SSH`: `handlers: { ...sshHandlers }`. */
export const sshHandlers: Readonly<Record<string, Handler>> = {
  [RELOAD_SSH]: (host) => host.run(reloadSshd({})),
};

/** Inputs of {@link sshHardeningRole}; every field has a default ({@link SSH_HARDENING_ROLE_DEFAULTS}). */
export interface SshHardeningRoleInput {
  /** Drop-in name in /etc/ssh/sshd_config.d ("00-bosun-hardening": sorts before `50-cloud-init.conf`). */
  readonly dropIn?: string;
  /** How root may log in ("prohibit-password": by key only). */
  readonly permitRootLogin?: NonNullable<SshdKnownSettings["PermitRootLogin"]>;
  /** Password and keyboard-interactive login (false). */
  readonly passwordAuthentication?: boolean;
  /** More sshd settings; they win over the ones above. */
  readonly settings?: SshdSettings;
  /** Let root lose SSH access (e.g. `permitRootLogin: "no"` in a run as root) when another user has a key and sudo (false). */
  readonly allowRootLockout?: boolean;
  /** A play handler that reloads sshd (e.g. {@link RELOAD_SSH} with {@link sshHandlers}); without one sshd is reloaded at once. */
  readonly handler?: string;
}

/** The defaults of {@link SshHardeningRoleInput}. */
export const SSH_HARDENING_ROLE_DEFAULTS = {
  dropIn: "00-bosun-hardening",
  permitRootLogin: "prohibit-password",
  passwordAuthentication: false,
  allowRootLockout: false,
} as const;

/** The sshd settings the role writes for these options. */
export function sshHardeningSettings(options: SshHardeningRoleInput = {}): SshdSettings {
  const o = { ...SSH_HARDENING_ROLE_DEFAULTS, ...options };
  return {
    PermitRootLogin: o.permitRootLogin,
    PasswordAuthentication: o.passwordAuthentication,
    KbdInteractiveAuthentication: o.passwordAuthentication,
    PermitEmptyPasswords: false,
    ...o.settings,
  };
}

/**
 * Harden sshd: root by key only, no password login. Returns the task results.
 * @example await sshHardeningRole(host)
 * @example await sshHardeningRole(host, { handler: RELOAD_SSH, settings: { MaxAuthTries: 3 } })  // play: handlers: { ...sshHandlers }
 */
export const sshHardeningRole = defineRole<SshHardeningRoleInput, readonly TaskResult[], typeof SSH_HARDENING_ROLE_DEFAULTS>({
  name: "ssh-hardening",
  description: "Root by key only, no password login, through one sshd drop-in tried before it is written.",
  defaults: SSH_HARDENING_ROLE_DEFAULTS,
  async apply(host, o) {
    const task = sshdConfig({
      name: o.dropIn,
      settings: sshHardeningSettings(o),
      allowRootLockout: o.allowRootLockout,
      ...(o.handler ? { reload: false, notify: o.handler } : {}),
    });
    return [await host.run(task)];
  },
});
