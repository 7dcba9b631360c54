/** ensureUser: a user account exists with this uid, shell, home, groups and password hash, or does not. */
import {
  taskParams,
  required,
  optional,
  intIn,
  str,
  absPath,
  account,
  bool,
  secretString,
  oneOf,
  list,
  type Static,
} from "../../core/params.js";
import { registerSecret, reveal } from "../../core/secrets.js";
import { changed, defineTask, unchanged, type Prerequisite } from "../../core/task.js";
import { userAccount } from "../../facts/users.js";
import { accountNameProblem, fieldProblem } from "./names.js";
import { planUser } from "./user-plan.js";

const PRESENT_ONLY = [
  "uid",
  "group",
  "groups",
  "append",
  "shell",
  "home",
  "createHome",
  "system",
  "comment",
  "password",
  "updatePassword",
] as const;

function passwordProblem(value: EnsureUserParams["password"]): string | undefined {
  if (value === undefined) return undefined;
  const hash = reveal(value);
  if (/^(\$[^$:\n]+\$[^:\n]+|!.*|\*)$/.test(hash) && !/[:\n]/.test(hash)) return undefined;
  return `parameter "password" must be a crypt(3) hash such as "$6$salt$..." (make one with \`mkpasswd -m sha-512\`), "!" or "*"; a clear-text password is refused`;
}

/** Parameters for {@link ensureUser}. */
export const ensureUserParams = taskParams({
  name: required(account, "Login name."),
  uid: optional(intIn({ minimum: 0 }), "Numeric user id; an existing user is moved to it (`usermod -u`). Left alone when omitted."),
  group: optional(account, "Primary group (must exist); by default a new user gets a group of its own name."),
  groups: optional(list(account), "Supplementary groups (must exist)."),
  append: optional(bool, "Add to `groups` and keep other memberships (true, like Ansible); false: exactly `groups`."),
  shell: optional(absPath, 'Login shell, e.g. "/bin/bash"; Debian\'s useradd default (/bin/sh) when omitted for a new user.'),
  home: optional(absPath, "Home directory; `/home/<name>` by default for a new user. The old one is not moved."),
  createHome: optional(bool, { description: "Create the home directory from /etc/skel when it is missing.", default: true }),
  system: optional(bool, "Create a system account (`useradd -r`); only used when the user is created."),
  comment: optional(str, "GECOS comment (full name)."),
  password: optional(
    secretString,
    "A crypt(3) password hash (`mkpasswd -m sha-512`), not a clear password; sent on stdin, masked in output.",
  ),
  updatePassword: optional(oneOf("always", "onCreate"), {
    description: "Set the password `always` when it differs, or only `onCreate`.",
    default: "always",
  }),
  state: optional(oneOf("present", "absent"), { description: "`present` or `absent` (`userdel`).", default: "present" }),
  removeHome: optional(bool, "With state absent: also remove the home directory and mail spool (`userdel -r`)."),
});
/** Parameters for {@link ensureUser}. */
export type EnsureUserParams = Static<typeof ensureUserParams>;

/**
 * Ensure a user account exists with the given attributes, or is removed. Reads the account with
 * `getent passwd`, `id` and `getent shadow` in one command; applies with one useradd/usermod/userdel
 * command (the password hash goes to `chpasswd -e` on stdin).
 * @example ensureUser({ name: "deploy", shell: "/bin/bash", groups: ["docker"] })
 * @example ensureUser({ name: "app", system: true, createHome: false, shell: "/usr/sbin/nologin" })
 * @example ensureUser({ name: "ops", password: secret(process.env.OPS_HASH!) })
 * @example ensureUser({ name: "olduser", state: "absent", removeHome: true })
 */
export const ensureUser = defineTask<EnsureUserParams>({
  id: "access.ensureUser",
  description: "A user account exists with this uid, shell, home, groups and password hash (useradd/usermod), or is removed (userdel).",
  title: (p) => `user ${p.name}${p.state === "absent" ? " absent" : ""}`,
  schema: ensureUserParams,
  validate: (p) => {
    if (p.state === "absent") {
      const extra = PRESENT_ONLY.find((k) => p[k] !== undefined);
      if (extra) return `parameter "${extra}" only applies with state "present"`;
    } else if (p.removeHome !== undefined) return `parameter "removeHome" only applies with state "absent"`;
    return (
      accountNameProblem("name", p.name) ??
      fieldProblem("comment", p.comment) ??
      fieldProblem("home", p.home) ??
      passwordProblem(p.password)
    );
  },
  async check(host, p) {
    const hash = p.password === undefined ? undefined : reveal(p.password);
    if (hash !== undefined) registerSecret(hash);
    const groups = [...(p.group ? [p.group] : []), ...(p.groups ?? [])];
    const fact = await host.fact(userAccount, { name: p.name, groups });
    const plan = planUser(fact, {
      name: p.name,
      uid: p.uid,
      group: p.group,
      groups: p.groups,
      append: p.append ?? true,
      shell: p.shell,
      home: p.home,
      createHome: p.createHome ?? true,
      system: p.system ?? false,
      comment: p.comment,
      passwordHash: hash,
      updatePassword: p.updatePassword ?? "always",
      state: p.state ?? "present",
      removeHome: p.removeHome ?? false,
    });
    if (!plan.command) return unchanged(p.state === "absent" ? `user ${p.name} does not exist` : `user ${p.name} is up to date`);
    const message = `${p.name}: ${plan.changes.join("; ")}`;
    const which = plan.missingGroups.map((g) => `"${g}"`).join(", ");
    const needs: Prerequisite[] = plan.missingGroups.length
      ? [
          {
            doing: `Cannot ensure user "${p.name}"`,
            missing: `group ${which} does not exist`,
            hint: "create it first with ensureGroup (or install the package that creates it)",
          },
        ]
      : [];
    return changed([plan.command], { message, needs, diff: { label: `user ${p.name}`, before: plan.before, after: plan.after } });
  },
});
