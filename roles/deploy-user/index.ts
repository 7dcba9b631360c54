/**
 * Role deploy-user: the account deploys and later runs log in as. A user with a login shell and
 * its groups, its authorized keys, and passwordless sudo through a drop-in checked by visudo.
 */
import type { TaskResult } from "../../lib/core/task.js";
import { defineRole } from "../../lib/run/role.js";
import { authorizedKey, ensureUser, sudoers } from "../../lib/tasks/access/index.js";

/** Inputs of {@link deployUserRole}; every field but the keys has a default ({@link DEPLOY_USER_ROLE_DEFAULTS}). */
export interface DeployUserRoleInput {
  /** Login name ("deploy"). */
  readonly name?: string;
  /** Public keys that may log in as the user: lines of `ssh-ed25519 AAAA... comment`. */
  readonly authorizedKeys: string | readonly string[];
  /** Make these the only keys, removing any added by hand (false). */
  readonly exclusiveKeys?: boolean;
  /** Supplementary groups; they must exist (the docker role adds the user to `docker` itself) ([]). */
  readonly groups?: readonly string[];
  /** Login shell ("/bin/bash"). */
  readonly shell?: string;
  /** Passwordless sudo for every command through /etc/sudoers.d/<name> (true); false removes the drop-in. */
  readonly sudo?: boolean;
  /** Numeric user id; the next free one when omitted. */
  readonly uid?: number;
  /** GECOS comment ("Deploy user (bosun)"). */
  readonly comment?: string;
}

/** The defaults of {@link DeployUserRoleInput}. */
export const DEPLOY_USER_ROLE_DEFAULTS = {
  name: "deploy",
  exclusiveKeys: false,
  groups: [] as readonly string[],
  shell: "/bin/bash",
  sudo: true,
  comment: "Deploy user (bosun)",
} as const;

/**
 * Create or update the deploy user: account, authorized keys, sudo drop-in. Returns the task
 * results in order. Run it as root (or a user with sudo) before ssh-hardening turns passwords off.
 * @example await deployUserRole(host, { authorizedKeys: readFileSync("keys/deploy.pub", "utf8"), groups: ["adm"] })
 */
export const deployUserRole = defineRole<DeployUserRoleInput, readonly TaskResult[], typeof DEPLOY_USER_ROLE_DEFAULTS>({
  name: "deploy-user",
  description: "The account deploys log in as: user, authorized keys, passwordless sudo checked by visudo.",
  defaults: DEPLOY_USER_ROLE_DEFAULTS,
  async apply(host, o) {
    const results: TaskResult[] = [];
    results.push(
      await host.run(
        ensureUser({
          name: o.name,
          shell: o.shell,
          groups: o.groups,
          comment: o.comment,
          createHome: true,
          ...(o.uid === undefined ? {} : { uid: o.uid }),
        }),
      ),
    );
    results.push(await host.run(authorizedKey({ user: o.name, key: o.authorizedKeys, exclusive: o.exclusiveKeys })));
    results.push(
      await host.run(
        o.sudo
          ? sudoers({ name: sudoersName(o.name), user: o.name, nopasswd: true, commands: "ALL" })
          : sudoers({ name: sudoersName(o.name), state: "absent" }),
      ),
    );
    return results;
  },
});

/** The sudoers drop-in name for a user: sudo skips files whose name has a dot. */
function sudoersName(user: string): string {
  return user.replace(/[^A-Za-z0-9_-]/g, "_");
}
