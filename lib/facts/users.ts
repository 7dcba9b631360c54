/**
 * User account facts: the passwd entry, primary and supplementary groups, whether the home
 * exists and a digest of the password hash (the hash itself never leaves the host), plus which of
 * the groups a task wants exist. One command (`getent passwd`, `id`, `getent shadow`, `getent group`).
 */
import { raw, sh, type Command } from "../core/command.js";
import { defineFact } from "../core/fact.js";
import { parseSections, section, sectionedCommand } from "./access.js";

/** A user account as the host sees it. */
export type UserAccount =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** Login name. */
      readonly name: string;
      /** Numeric user id. */
      readonly uid: number;
      /** Numeric primary group id. */
      readonly gid: number;
      /** Primary group name. */
      readonly group: string;
      /** Supplementary groups, sorted. */
      readonly groups: readonly string[];
      /** GECOS comment. */
      readonly comment: string;
      /** Home directory. */
      readonly home: string;
      /** Login shell. */
      readonly shell: string;
      /** Whether the home directory exists. */
      readonly homeExists: boolean;
      /** sha256 (hex) of the shadow password field plus a newline; undefined when shadow is unreadable. */
      readonly passwordDigest?: string;
    };

/** Argument of {@link userAccount}. */
export interface UserQuery {
  /** Login name. */
  readonly name: string;
  /** Group names whose existence the caller needs to know. */
  readonly groups?: readonly string[];
}

/** What {@link userAccount} returns. */
export interface UserFact {
  /** The account. */
  readonly user: UserAccount;
  /** Those of the queried groups that exist. */
  readonly knownGroups: readonly string[];
}

/**
 * Four programs for an account (`getent passwd`, `id`, `getent shadow`, `sha256sum`): the home comes
 * out of the passwd line and the shadow field out of its line by the shell's own `${x#*:}`, and the
 * primary group is the first of `id -nGz` (coreutils prints the passwd gid's group first). The wanted
 * groups take one `getent group` with all of them, and one each only when some are missing.
 */
function userCommand(q: UserQuery): Command {
  const entry = sh`n=${q.name}; if e=$(getent passwd -- "$n"); then printf '%s\\n' "$e"; id -nGz -- "$n"; echo; h=\${e#*:*:*:*:*:}; if [ -d "\${h%:*}" ]; then echo home; else echo nohome; fi; if s=$(getent shadow -- "$n"); then s=\${s#*:}; printf '%s\\n' "\${s%%:*}" | sha256sum; else echo -; fi; else echo absent; fi`;
  const wanted = [...(q.groups ?? [])];
  const one = sh`for g in ${wanted}; do if getent group -- "$g" >/dev/null; then printf '%s\\n' "$g"; fi; done`;
  const groups = wanted.length ? sh`if getent group -- ${wanted} >/dev/null; then printf '%s\\n' ${wanted}; else ${one}; fi` : raw(":");
  return sectionedCommand([
    ["user", entry],
    ["groups", groups],
  ]);
}

/** Parse the `user` section: passwd line, groups (NUL-separated, primary first), home, shadow digest. */
export function parseUserSection(text: string, name: string): UserAccount {
  const lines = text.split("\n");
  if (lines[0] === "absent") return { exists: false };
  const fields = (lines[0] ?? "").split(":");
  if (fields.length < 7)
    throw new Error(`Cannot read user "${name}": unexpected passwd entry ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  const [login = "", , uid = "", gid = "", comment = "", home = "", shell = ""] = fields;
  const [group = "", ...others] = (lines[1] ?? "").split("\0").filter(Boolean);
  // sha256sum reading stdin prints "<64 hex>  -"; "-" when shadow was unreadable.
  const digest = /^([0-9a-f]{64}) {2}-$/.exec(lines[3] ?? "")?.[1];
  return {
    exists: true,
    name: login,
    uid: Number(uid),
    gid: Number(gid),
    group,
    groups: [...new Set(others.filter((g) => g !== group))].sort(),
    comment,
    home,
    shell,
    homeExists: lines[2] === "home",
    passwordDigest: digest,
  };
}

/** A user account and which of the wanted groups exist, in one command. */
export const userAccount = defineFact<UserQuery, UserFact>({
  id: "access.userAccount",
  command: userCommand,
  parse: (r, q) => {
    const sections = parseSections(r.stdout);
    const user = section(sections, "user", r.stderr);
    if (user.code !== 0) throw new Error(`Cannot read user "${q.name}": ${r.stderr.trim() || `exit ${user.code}`}`);
    const groups = section(sections, "groups", r.stderr);
    return { user: parseUserSection(user.text, q.name), knownGroups: groups.text.split("\n").filter(Boolean) };
  },
});
