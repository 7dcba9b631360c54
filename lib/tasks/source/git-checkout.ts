/** gitCheckout: a directory holds a clone of a repository checked out at a ref. */
import { defineTask, changed, unchanged, type Prerequisite, type TaskHost } from "../../core/task.js";
import { sh, raw, type Command } from "../../core/command.js";
import { taskParams, required, optional, int, nonEmpty, absPath, account, bool, secretString, type Static } from "../../core/params.js";
import { Secret } from "../../core/secrets.js";
import { gitCheckoutState, gitPrelude, resolveRemoteRef, type DeployKey, type GitCheckoutState } from "../../facts/git.js";

/** Where the checkout was and is. */
export interface GitCheckoutOutput {
  /** The commit checked out before (none for a new clone). */
  readonly before?: string;
  /** The commit checked out now. */
  readonly after: string;
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function paramsProblem(p: GitCheckoutParams): string | undefined {
  if (p.repo.startsWith("-") || /\s/.test(p.repo)) return `parameter "repo" must be a repository URL without spaces`;
  if (p.dest.endsWith("/") || p.dest.split("/").includes(".."))
    return `parameter "dest" must be a plain absolute path (no trailing "/" or "..")`;
  if (p.ref !== undefined && (p.ref.startsWith("-") || /[\s~^:?*[\\]|\.\.|@\{/.test(p.ref)))
    return `parameter "ref" must be a branch, tag, ref or commit sha, got ${JSON.stringify(p.ref)}`;
  if (p.depth !== undefined && p.depth < 1) return `parameter "depth" must be at least 1`;
  if (typeof p.deployKey === "string" && !p.deployKey.startsWith("/"))
    return `parameter "deployKey" must be a Secret (the key itself) or an absolute path on the host`;
  return undefined;
}

function deployKey(p: GitCheckoutParams): DeployKey | undefined {
  if (p.deployKey === undefined) return undefined;
  if (typeof p.deployKey === "string") return { kind: "path", path: p.deployKey };
  const text = p.deployKey.reveal();
  // OpenSSH refuses a private key whose last line has no newline.
  return { kind: "secret", value: text.endsWith("\n") ? p.deployKey : new Secret(`${text}\n`) };
}

/** Failures the state shows before any plan: no git, no owner, something else at dest, a foreign clone. */
function refuse(host: TaskHost, p: GitCheckoutParams, st: GitCheckoutState): void {
  const what = `Cannot check out ${p.repo} into ${p.dest}`;
  if (!st.git) throw host.fail(`${what}: git is not installed on the host`, `install it first: apt({ names: "git" })`);
  if (st.owner === "cannot")
    throw host.fail(
      `${what} as ${p.owner}: connected as another user without root`,
      "run the task with sudo: true, or connect as the owner",
    );
  if (st.dest === "notdir") throw host.fail(`${what}: ${p.dest} exists and is not a directory`);
  if (st.dest === "other")
    throw host.fail(
      `${what}: ${p.dest} is a non-empty directory that is not a git checkout`,
      "move its files away, or choose another dest",
    );
  if (st.dest === "repo" && st.head?.error)
    throw host.fail(
      `${what}: git cannot read the checkout: ${st.head.error.split("\n")[0]}`,
      st.head.error.includes("dubious ownership") ? `give owner: "${st.destOwner}" (the checkout's owner)` : undefined,
    );
  if (st.dest === "repo" && st.origin !== p.repo)
    throw host.fail(`${what}: it is a clone of ${st.origin || "(no origin)"}`, "remove the directory, or point repo at that origin");
}

/** Parameters for {@link gitCheckout}. */
export const gitCheckoutParams = taskParams({
  repo: required(nonEmpty, "Repository URL (`git@gitlab.example.com:acme/cfa.git`, `https://...`, `file:///srv/git/app.git`)."),
  dest: required(absPath, "Absolute path of the checkout on the host."),
  ref: optional(nonEmpty, {
    description: "Branch, tag, full ref, or a full commit sha (40 hex digits) to check out; `HEAD` is the remote's default branch.",
    default: "HEAD",
  }),
  depth: optional(int, "Shallow clone and fetch with this many commits."),
  deployKey: optional(
    secretString,
    "Deploy key for ssh URLs: a Secret holding the private key (written 0600 to a temp file for the command, then removed) or the absolute path of a key on the host.",
  ),
  owner: optional(account, "The user that owns the checkout and runs git (via runuser when connected as root)."),
  force: optional(bool, { description: "Discard local changes to tracked files instead of failing (default false).", default: false }),
});
/** Parameters for {@link gitCheckout}. */
export type GitCheckoutParams = Static<typeof gitCheckoutParams>;

/**
 * Clone a repository into a directory and keep it checked out at a ref: a branch, a tag, a full
 * ref or a commit sha. It changes only when the ref moves: the check is ONE command comparing
 * `git rev-parse HEAD` in dest with `git ls-remote repo ref` (for a sha, directly); the update is
 * one more (clone, or fetch + checkout). Local changes to tracked files make it fail unless
 * `force`. With `owner`, git runs as that user and the checkout belongs to it. A deploy key given
 * as a Secret goes to the host on stdin into a 0600 temp file (GIT_SSH_COMMAND `ssh -i KEY -o
 * IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new`), removed when the command ends.
 * @example gitCheckout({ repo: "git@gitlab.example.com:acme/cfa-deploy.git", dest: "/srv/cfa/bundle", ref: "main", deployKey: secret(env.DEPLOY_KEY), owner: "deploy" })
 * @example gitCheckout({ repo: "https://github.com/acme/tools.git", dest: "/opt/tools", ref: "v1.4.0", depth: 1 })
 */
export const gitCheckout = defineTask<GitCheckoutParams, GitCheckoutOutput>({
  id: "source.gitCheckout",
  description: "A directory holds a clone of a repository at a ref (branch, tag or sha); changes only when the ref moves.",
  title: (p) => `git ${p.dest} at ${p.ref ?? "HEAD"}`,
  schema: gitCheckoutParams,
  validate: paramsProblem,
  async check(host, p) {
    const ref = p.ref ?? "HEAD";
    const isSha = SHA.test(ref);
    const ctx = { dest: p.dest, repo: p.repo, owner: p.owner, key: deployKey(p) };
    const st = await host.fact(gitCheckoutState, { ...ctx, ...(isSha ? {} : { lsRemote: ref }) });
    refuse(host, p, st);
    let target: { sha: string; fullRef: string; kind: "head" | "branch" | "tag" | "ref" | "sha" };
    if (isSha) target = { sha: ref, fullRef: ref, kind: "sha" };
    else {
      if (!st.remote || "error" in st.remote)
        throw host.fail(
          `Cannot read ${ref} of ${p.repo}: ${st.remote && "error" in st.remote ? st.remote.error : "no answer"}`,
          "check the URL, the deploy key, and that the host can reach the repository",
        );
      const found = resolveRemoteRef(st.remote.refs, ref);
      if (!found) throw host.fail(`Cannot check out ${ref} of ${p.repo}: the repository has no such branch or tag`);
      target = found;
    }
    const before = st.head?.sha;
    const chownNeeded = p.owner !== undefined && st.destOwner !== undefined && st.destOwner !== p.owner && st.owner !== "missing";
    const moved = before !== target.sha;
    const dirty = st.changes.length > 0;
    if (moved && dirty && !p.force) {
      throw host.fail(
        `Cannot move ${p.dest} to ${ref}: it has local changes (${st.changes
          .slice(0, 3)
          .map((l) => l.trim())
          .join(", ")})`,
        "commit or discard them on the host, or set force: true to discard them",
      );
    }
    const needs: Prerequisite[] =
      st.owner === "missing"
        ? [
            {
              doing: `Cannot check out ${p.repo} into ${p.dest}`,
              missing: `user ${p.owner} does not exist`,
              hint: "create it first with ensureUser",
            },
          ]
        : [];
    if (!moved && !chownNeeded && !(dirty && p.force))
      return { ...unchanged(`${p.dest} is at ${ref} (${target.sha.slice(0, 12)})`, { before, after: target.sha }), needs };
    const steps = planSteps(p, { st, target, chownNeeded, moved, discard: dirty && !!p.force });
    const what =
      st.dest === "repo"
        ? moved
          ? `move ${p.dest} from ${before?.slice(0, 12)} to ${ref} (${target.sha.slice(0, 12)})`
          : dirty && p.force
            ? `discard local changes in ${p.dest}`
            : `give ${p.dest} to ${p.owner}`
        : `clone ${p.repo} into ${p.dest} at ${ref} (${target.sha.slice(0, 12)})`;
    const stdin = ctx.key?.kind === "secret" ? { stdin: ctx.key.value } : {};
    const command: Command = {
      text: [gitPrelude(ctx), ...steps, sh`echo "@@after $(g -C "$dest" rev-parse HEAD)"`].map((c) => c.text).join("\n"),
      label: what,
      ...stdin,
    };
    return changed<GitCheckoutOutput>([command], {
      message: what,
      needs,
      diff: { label: p.dest, before: before ? `${before}\n` : undefined, after: `${target.sha}\n` },
      output: { before, after: target.sha },
      finish: (results) => {
        const out = (results[0] as { stdout?: string } | undefined)?.stdout ?? "";
        return { output: { before, after: /^@@after ([0-9a-f]+)$/m.exec(out)?.[1] ?? target.sha } };
      },
    });
  },
});

/** The shell steps after the prelude: create dest, clone or fetch + checkout, fix ownership. */
function planSteps(
  p: GitCheckoutParams,
  plan: {
    st: GitCheckoutState;
    target: { sha: string; fullRef: string; kind: string };
    chownNeeded: boolean;
    moved: boolean;
    discard: boolean;
  },
): Command[] {
  const { st, target, ...o } = plan;
  const depth = p.depth === undefined ? raw("") : sh` --depth ${p.depth}`;
  const steps: Command[] = [];
  const checkoutSha = sh`{ g -C "$dest" cat-file -e ${`${target.sha}^{commit}`} 2>/dev/null || g -C "$dest" fetch -q${depth} origin ${target.sha}; } && g -C "$dest" checkout -q --force --detach ${target.sha}`;
  if (st.dest !== "repo") {
    if (st.dest === "absent") steps.push(sh`mkdir -p -- "$dest" && { [ "$run" != owner ] || chown -- "$owner:" "$dest"; }`);
    else if (o.chownNeeded) steps.push(sh`chown -- "$owner:" "$dest"`);
    const branch =
      target.kind === "branch" || target.kind === "tag" ? sh` --branch ${target.fullRef.replace(/^refs\/(heads|tags)\//, "")}` : raw("");
    steps.push(sh`g clone -q${depth}${branch} -- "$repo" "$dest"`);
    if (target.kind === "sha" || target.kind === "ref") steps.push(checkoutSha);
    return steps.map((s) => sh`${s} || exit 1`);
  }
  if (o.chownNeeded) steps.push(sh`chown -R -- "$owner:" "$dest"`);
  if (!o.moved) {
    if (o.discard) steps.push(sh`g -C "$dest" reset -q --hard`);
  } else if (target.kind === "sha") steps.push(checkoutSha);
  else {
    steps.push(sh`g -C "$dest" fetch -q --force${depth} origin ${target.fullRef}`);
    const name = target.fullRef.replace(/^refs\/heads\//, "");
    steps.push(
      target.kind === "branch"
        ? sh`g -C "$dest" checkout -q --force -B ${name} FETCH_HEAD`
        : sh`g -C "$dest" checkout -q --force --detach FETCH_HEAD`,
    );
  }
  return steps.map((s) => sh`${s} || exit 1`);
}
