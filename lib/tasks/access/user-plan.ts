/**
 * The plan of ensureUser, as a pure function of the account's state and the wanted one: the
 * useradd/usermod/userdel command (one), what changes, and what is missing on the host.
 */
import { createHash } from "node:crypto";
import { sh, type Command } from "../../core/command.js";
import type { UserFact } from "../../facts/users.js";

/** The account a task wants; see EnsureUserParams for each field. */
export interface WantedUser {
  readonly name: string;
  readonly uid?: number;
  readonly group?: string;
  readonly groups?: readonly string[];
  readonly append: boolean;
  readonly shell?: string;
  readonly home?: string;
  readonly createHome: boolean;
  readonly system: boolean;
  readonly comment?: string;
  /** The crypt(3) hash, revealed (it travels on stdin only). */
  readonly passwordHash?: string;
  readonly updatePassword: "always" | "onCreate";
  readonly state: "present" | "absent";
  readonly removeHome: boolean;
}

/** What ensureUser would do. */
export interface UserPlan {
  /** The command (with the password on stdin when one is set), or undefined when nothing changes. */
  readonly command?: Command;
  /** One-line summaries of each change. */
  readonly changes: readonly string[];
  /** Account fields before and after, for the diff (never the password). */
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  /** Groups the account needs that do not exist on the host. */
  readonly missingGroups: readonly string[];
}

/** The digest the users fact reports for a shadow password field. */
export function passwordDigest(hash: string): string {
  return createHash("sha256").update(`${hash}\n`).digest("hex");
}

function neededGroups(want: WantedUser): string[] {
  return [...new Set([...(want.group ? [want.group] : []), ...(want.groups ?? [])])];
}

/** Plan the account change from the host's state. */
export function planUser(fact: UserFact, want: WantedUser): UserPlan {
  const user = fact.user;
  if (want.state === "absent") {
    if (!user.exists) return { changes: [], missingGroups: [] };
    const flags = want.removeHome ? ["-r"] : [];
    return {
      command: sh`userdel ${flags} -- ${want.name}`,
      changes: [`remove user ${want.name}${want.removeHome ? ` and its home ${user.home}` : ""}`],
      before: { uid: user.uid, home: user.home },
      after: undefined,
      missingGroups: [],
    };
  }
  const missingGroups = neededGroups(want).filter((g) => !fact.knownGroups.includes(g));
  const password = want.passwordHash;
  const setPassword = (cmd: Command): Command =>
    password === undefined ? cmd : { text: `${cmd.text} && chpasswd -e`, stdin: `${want.name}:${password}\n` };

  if (!user.exists) {
    const args: string[] = [];
    if (want.system) args.push("-r");
    if (want.uid !== undefined) args.push("-u", String(want.uid));
    if (want.group !== undefined) args.push("-g", want.group);
    if (want.groups?.length) args.push("-G", want.groups.join(","));
    if (want.shell !== undefined) args.push("-s", want.shell);
    if (want.home !== undefined) args.push("-d", want.home);
    if (want.comment !== undefined) args.push("-c", want.comment);
    args.push(want.createHome ? "-m" : "-M");
    const after = {
      uid: want.uid ?? "(next free)",
      group: want.group ?? want.name,
      groups: [...(want.groups ?? [])].sort(),
      shell: want.shell ?? "(default)",
      home: want.home ?? "(default)",
      comment: want.comment ?? "",
    };
    return {
      command: setPassword(sh`useradd ${args} -- ${want.name}`),
      changes: [`create ${want.system ? "system " : ""}user ${want.name}${password === undefined ? "" : " with a password"}`],
      before: undefined,
      after,
      missingGroups,
    };
  }

  const args: string[] = [];
  const changes: string[] = [];
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  const field = (key: string, flag: string, current: string | number, wanted: string | number | undefined): void => {
    if (wanted === undefined || wanted === current) return;
    args.push(flag, String(wanted));
    changes.push(`${key} ${current === "" ? '""' : current} → ${wanted === "" ? '""' : wanted}`);
    before[key] = current;
    after[key] = wanted;
  };
  field("uid", "-u", user.uid, want.uid);
  if (want.group !== undefined && want.group !== user.group && want.group !== String(user.gid))
    field("group", "-g", user.group, want.group);
  field("shell", "-s", user.shell, want.shell);
  field("home", "-d", user.home, want.home);
  field("comment", "-c", user.comment, want.comment);
  if (want.groups !== undefined) {
    const wanted = [...new Set(want.groups)].sort();
    const missing = wanted.filter((g) => !user.groups.includes(g));
    const extra = want.append ? [] : user.groups.filter((g) => !wanted.includes(g));
    if (missing.length || extra.length) {
      if (want.append) args.push("-a", "-G", missing.join(","));
      else args.push("-G", wanted.join(","));
      changes.push(
        [missing.length ? `add to ${missing.join(", ")}` : "", extra.length ? `remove from ${extra.join(", ")}` : ""]
          .filter(Boolean)
          .join("; "),
      );
      before.groups = user.groups;
      after.groups = want.append ? [...new Set([...user.groups, ...missing])].sort() : wanted;
    }
  }
  const steps: Command[] = [];
  if (args.length) steps.push(sh`usermod ${args} -- ${want.name}`);
  if (want.createHome && after.home !== undefined) {
    // mkhomedir_helper creates the home recorded in passwd (after usermod -d) from /etc/skel; a no-op when it exists.
    steps.push(sh`mkhomedir_helper ${want.name}`);
  } else if (want.createHome && !user.homeExists) {
    steps.push(sh`mkhomedir_helper ${want.name}`);
    changes.push(`create home ${user.home}`);
  }
  const passwordChanges = password !== undefined && want.updatePassword === "always" && user.passwordDigest !== passwordDigest(password);
  if (passwordChanges) changes.push("set password");
  if (!steps.length && !passwordChanges) return { changes: [], missingGroups };
  const text = steps.length ? steps.map((s) => s.text).join(" && ") : ":";
  const command = passwordChanges ? setPassword({ text }) : { text };
  return { command, changes, before, after, missingGroups };
}
