/**
 * Git facts: a checkout on the host (HEAD, origin, local changes, owner) and what a ref points to
 * in the remote (`git ls-remote`), read in ONE command. Git runs as the checkout's owner when one
 * is given (runuser, from root), and a deploy key given as a secret travels on stdin into a 0600
 * temp file used through GIT_SSH_COMMAND and removed when the command ends.
 */
import { defineFact } from "../core/fact.js";
import { quote, raw, sh, type Command } from "../core/command.js";
import type { Secret } from "../core/secrets.js";
import { parseSections, section, sectionLines } from "./docker-sections.js";

/** A deploy key: its content (a secret, written to a temp file) or a path on the host. */
export type DeployKey = { readonly kind: "secret"; readonly value: Secret } | { readonly kind: "path"; readonly path: string };

/** What the git commands need: where, whose, which key. */
export interface GitContext {
  /** Checkout directory. */
  readonly dest: string;
  /** Repository URL. */
  readonly repo: string;
  /** Run git as this user (runuser from root). */
  readonly owner?: string;
  /** Deploy key for ssh URLs. */
  readonly key?: DeployKey;
}

/** Argument of {@link gitCheckoutState}. */
export interface GitCheckoutQuery extends GitContext {
  /** Ref to resolve in the remote (`HEAD`, a branch, a tag, a full ref); none for a sha. */
  readonly lsRemote?: string;
}

/** A checkout and the remote ref, as the host sees them. */
export interface GitCheckoutState {
  /** Whether git is installed. */
  readonly git: boolean;
  /** The owner: none asked, self (we are it), runuser (root runs git as it), missing (no such user), cannot (not root). */
  readonly owner: "none" | "self" | "runuser" | "missing" | "cannot";
  /** What is at dest. */
  readonly dest: "absent" | "empty" | "repo" | "other" | "notdir";
  /** Owner of dest (empty or repo). */
  readonly destOwner?: string;
  /** HEAD's commit (repo), or git's error. */
  readonly head?: { readonly sha?: string; readonly error?: string };
  /** remote.origin.url (repo). */
  readonly origin?: string;
  /** Tracked files with local changes (`git status --porcelain`, at most 20). */
  readonly changes: readonly string[];
  /** The ls-remote answer: lines `sha\tref`, or the error. */
  readonly remote?: { readonly refs: readonly (readonly [sha: string, ref: string])[] } | { readonly error: string };
}

/**
 * Shell text that sets up `g` (git as the right user), GIT_SSH_COMMAND and the temp key (read from
 * stdin when the key is a secret; the command then needs that secret as its stdin).
 */
export function gitPrelude(c: GitContext): Command {
  const keyPath = c.key?.kind === "path" ? c.key.path : "";
  const sshOptions = "-o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new -o BatchMode=yes";
  const keySetup =
    c.key?.kind === "secret"
      ? raw(
          `k=$(mktemp /tmp/bosun-key.XXXXXX) || exit 1; trap 'rm -f -- "$k"' EXIT HUP INT TERM; cat > "$k" || exit 1; if [ "$run" = owner ]; then chown -- "$owner" "$k"; fi; export GIT_SSH_COMMAND="ssh -i $k ${sshOptions}"; `,
        )
      : c.key?.kind === "path"
        ? sh`export GIT_SSH_COMMAND=${`ssh -i ${quote(keyPath)} ${sshOptions}`}; `
        : raw("");
  return sh`dest=${c.dest}; repo=${c.repo}; owner=${c.owner ?? ""}; export GIT_TERMINAL_PROMPT=0; run=self; ostate=none
if [ -n "$owner" ]; then if ! id -u -- "$owner" >/dev/null 2>&1; then ostate=missing; elif [ "$(id -un)" = "$owner" ]; then ostate=self; elif [ "$(id -u)" = 0 ]; then ostate=runuser; run=owner; else ostate=cannot; fi; fi
g() { if [ "$run" = owner ]; then runuser -u "$owner" -- git "$@"; else git "$@"; fi; }
${keySetup}`;
}

/** One command: git, owner, dest (HEAD, origin, local changes) and the remote ref. */
export const gitCheckoutState = defineFact<GitCheckoutQuery, GitCheckoutState>({
  id: "source.gitCheckoutState",
  command(q) {
    const remote =
      q.lsRemote === undefined
        ? raw("echo skip")
        : sh`if out=$(g ls-remote -- "$repo" ${q.lsRemote === "HEAD" ? ["HEAD"] : [q.lsRemote, `${q.lsRemote}^{}`]} 2>&1); then echo ok; printf '%s\\n' "$out"; else echo error; printf '%s\\n' "$out" | grep -v -e '^$' -e 'git config --global' -e '^To add an exception' | head -n 8; fi`;
    const text = sh`${section("git")}; if ! command -v git >/dev/null 2>&1; then echo missing; exit 0; fi; echo present
${gitPrelude(q)}${section("owner")}; echo "$ostate"
${section("dest")}
if [ -L "$dest" ] || { [ -e "$dest" ] && ! [ -d "$dest" ]; }; then echo notdir
elif ! [ -e "$dest" ]; then echo absent
elif [ -z "$(ls -A -- "$dest")" ]; then echo empty; stat -c %U -- "$dest"
elif [ -e "$dest/.git" ]; then d_owner=$(stat -c %U -- "$dest"); echo repo; echo "$d_owner"
  # The checkout is read as the user who owns it (git refuses, rightly, to trust another user's repository).
  gd() { if [ "$(id -u)" = 0 ] && [ "$d_owner" != "$(id -un)" ] && [ "$d_owner" != UNKNOWN ]; then runuser -u "$d_owner" -- git "$@"; else git "$@"; fi; }
  ${section("head")}; gd -C "$dest" rev-parse --verify -q HEAD 2>&1 || echo "no commit checked out"
  ${section("origin")}; gd -C "$dest" config --get remote.origin.url 2>&1
  ${section("changes")}; gd -C "$dest" status --porcelain --untracked-files=no 2>&1 | head -n 20
else echo other; fi
${section("remote")}; ${remote}`;
    return {
      text: text.text,
      label: `git state of ${q.dest}${q.lsRemote ? ` and ${q.repo} ${q.lsRemote}` : ""}`,
      ...(q.key?.kind === "secret" ? { stdin: q.key.value } : {}),
    };
  },
  parse(r) {
    const s = parseSections(r.stdout);
    const git = (sectionLines(s, "git")[0] ?? "missing") === "present";
    const [dest = "absent", destOwner] = sectionLines(s, "dest");
    const headLine = sectionLines(s, "head").join("\n").trim();
    const [status = "skip", ...lines] = sectionLines(s, "remote");
    const refs = lines.filter((l) => /^[0-9a-f]{40,64}\t\S+$/.test(l)).map((l) => l.split("\t") as [string, string]);
    return {
      git,
      owner: (sectionLines(s, "owner")[0] ?? "none") as GitCheckoutState["owner"],
      dest: dest as GitCheckoutState["dest"],
      ...(destOwner ? { destOwner } : {}),
      ...(dest === "repo" ? { head: /^[0-9a-f]{40,64}$/.test(headLine) ? { sha: headLine } : { error: headLine } } : {}),
      ...(dest === "repo" ? { origin: (sectionLines(s, "origin")[0] ?? "").trim() } : {}),
      changes: sectionLines(s, "changes").filter((l) => l.trim()),
      ...(status === "ok" ? { remote: { refs } } : status === "error" ? { remote: { error: lines.join("\n").trim() } } : {}),
    };
  },
});

/** The commit a ref names in ls-remote output: HEAD, a branch, a tag (peeled) or a full ref. */
export function resolveRemoteRef(
  refs: readonly (readonly [string, string])[],
  ref: string,
): { sha: string; fullRef: string; kind: "head" | "branch" | "tag" | "ref" } | undefined {
  const find = (name: string) => refs.find(([, r]) => r === name)?.[0];
  if (ref === "HEAD") {
    const sha = find("HEAD");
    return sha ? { sha, fullRef: "HEAD", kind: "head" } : undefined;
  }
  const tag = (full: string) => {
    const sha = find(`${full}^{}`) ?? find(full);
    return sha ? { sha, fullRef: full, kind: "tag" as const } : undefined;
  };
  if (ref.startsWith("refs/tags/")) return tag(ref);
  if (ref.startsWith("refs/")) {
    const sha = find(ref);
    return sha ? { sha, fullRef: ref, kind: ref.startsWith("refs/heads/") ? "branch" : "ref" } : undefined;
  }
  const branch = find(`refs/heads/${ref}`);
  if (branch) return { sha: branch, fullRef: `refs/heads/${ref}`, kind: "branch" };
  return tag(`refs/tags/${ref}`);
}
