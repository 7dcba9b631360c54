/**
 * Whether a user can still log in over SSH under an effective sshd configuration (`sshd -T`), and
 * with which methods: the lock-out guard of sshdConfig, as a pure function. It reads
 * PermitRootLogin, Allow/DenyUsers, Allow/DenyGroups, Pubkey/Password/KbdInteractiveAuthentication,
 * AuthenticationMethods and the user's authorized keys under AuthorizedKeysFile.
 */
import type { KeyFile, SshdEffective } from "../../facts/sshd.js";

/** What the guard knows about the login user. */
export interface LoginAccount {
  /** Login name. */
  readonly user: string;
  /** Its groups. */
  readonly groups: readonly string[];
  /** Whether its password can be used. */
  readonly password: "usable" | "locked" | "empty";
  /** Its key files under the configuration being judged. */
  readonly keyFiles: readonly KeyFile[];
}

/** The verdict for one configuration. */
export interface LoginVerdict {
  /** Methods the user can complete (`publickey`, `password`, `keyboard-interactive`). */
  readonly methods: readonly string[];
  /** Why the user cannot log in at all, or undefined when it can. */
  readonly blocked?: string;
}

const one = (eff: SshdEffective, key: string, fallback = ""): string => (eff.get(key)?.[0] ?? fallback).toLowerCase();
const words = (eff: SshdEffective, key: string): string[] => (eff.get(key) ?? []).flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);

/** OpenSSH's pattern match: `*` and `?` wildcards, `!` negation; a `user@host` pattern is matched on its user part. */
export function matchesPattern(value: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).split("@")[0] as string;
    const re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".")}$`,
    );
    if (re.test(value)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function accountBlock(eff: SshdEffective, who: LoginAccount): string | undefined {
  const allowUsers = words(eff, "allowusers");
  if (allowUsers.length && !matchesPattern(who.user, allowUsers)) return `AllowUsers ${allowUsers.join(" ")} does not let ${who.user} in`;
  const denyUsers = words(eff, "denyusers");
  if (denyUsers.length && matchesPattern(who.user, denyUsers)) return `DenyUsers ${denyUsers.join(" ")} shuts ${who.user} out`;
  const allowGroups = words(eff, "allowgroups");
  if (allowGroups.length && !who.groups.some((g) => matchesPattern(g, allowGroups)))
    return `AllowGroups ${allowGroups.join(" ")} lists none of ${who.user}'s groups`;
  const denyGroups = words(eff, "denygroups");
  if (denyGroups.length && who.groups.some((g) => matchesPattern(g, denyGroups)))
    return `DenyGroups ${denyGroups.join(" ")} lists a group of ${who.user}`;
  const root = one(eff, "permitrootlogin", "prohibit-password");
  if (who.user === "root" && root === "no") return "PermitRootLogin no";
  if (who.user === "root" && root === "forced-commands-only") return "PermitRootLogin forced-commands-only (bosun needs a shell)";
  return undefined;
}

/** The methods `who` can complete under `eff`, and why it cannot log in when none suffices. */
export function loginVerdict(eff: SshdEffective, who: LoginAccount): LoginVerdict {
  const block = accountBlock(eff, who);
  if (block) return { methods: [], blocked: block };
  const rootByPassword = who.user !== "root" || one(eff, "permitrootlogin", "prohibit-password") === "yes";
  const passwordUsable = who.password === "usable" || (who.password === "empty" && one(eff, "permitemptypasswords") === "yes");
  const keys = who.keyFiles.reduce((n, f) => n + f.keys, 0);
  const keyCommand = one(eff, "authorizedkeyscommand", "none") !== "none";
  const available = new Set<string>();
  if (one(eff, "pubkeyauthentication", "yes") === "yes" && (keys > 0 || keyCommand)) available.add("publickey");
  if (rootByPassword && passwordUsable && one(eff, "passwordauthentication", "yes") === "yes") available.add("password");
  if (rootByPassword && passwordUsable && one(eff, "kbdinteractiveauthentication") === "yes" && one(eff, "usepam") === "yes")
    available.add("keyboard-interactive");
  const lists = (eff.get("authenticationmethods") ?? ["any"]).join(" ").split(/\s+/).filter(Boolean);
  const satisfiable = lists.includes("any") || lists.some((list) => list.split(",").every((m) => available.has(m.split(":")[0] as string)));
  if (satisfiable && available.size) return { methods: [...available] };
  const files = who.keyFiles.map((f) => f.path).join(", ") || "(none)";
  const why = [
    keys === 0
      ? `${who.user} has no authorized key in ${files}`
      : one(eff, "pubkeyauthentication", "yes") !== "yes"
        ? "PubkeyAuthentication no"
        : "",
    !rootByPassword
      ? `PermitRootLogin ${one(eff, "permitrootlogin")} refuses root passwords`
      : !passwordUsable
        ? `${who.user} has no usable password`
        : one(eff, "passwordauthentication", "yes") !== "yes"
          ? "PasswordAuthentication no"
          : "",
    !satisfiable && available.size ? `AuthenticationMethods ${lists.join(" ")} cannot be completed` : "",
  ].filter(Boolean);
  return { methods: [...available], blocked: why.join("; ") };
}

/** The method name as sshd logs it (`keyboard-interactive/pam`) reduced to the one the guard uses. */
export function baseMethod(method: string): string {
  return method.split("/")[0] as string;
}

/**
 * Why applying `next` would lock `who` out when `now` lets it in, or undefined. When the session's
 * method is known, that method must survive; otherwise some method must. When the guard cannot see
 * how the user gets in now (a certificate, a key outside AuthorizedKeysFile), it does not object.
 */
export function lockoutReason(now: LoginVerdict, next: LoginVerdict, sessionMethod: string | undefined): string | undefined {
  if (now.blocked) return undefined;
  if (next.blocked) return next.blocked;
  const method = sessionMethod === undefined ? undefined : baseMethod(sessionMethod);
  if (method && now.methods.includes(method) && !next.methods.includes(method)) {
    const what = method === "publickey" ? "key" : method;
    return `this session logged in by ${what}, and ${what} login would no longer work (left: ${next.methods.join(", ")})`;
  }
  return undefined;
}
