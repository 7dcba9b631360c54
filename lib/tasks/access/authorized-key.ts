/** authorizedKey: public keys are in (or not in) a user's ~/.ssh/authorized_keys, kept 0600 in a 0700 .ssh owned by the user. */
import { createHash } from "node:crypto";
import { sh, type Command } from "../../core/command.js";
import { taskParams, required, optional, typed, str, nonEmpty, account, bool, oneOf, list, type Static } from "../../core/params.js";
import { changed, defineTask, unchanged, type TaskHost } from "../../core/task.js";
import { authorizedKeysFile } from "../../facts/authorized-keys.js";
import type { NodeStat } from "../../facts/access.js";
import { atomicWrite } from "../files/atomic-write.js";
import { describeKey, editAuthorizedKeys, parseKeyLine, type KeyLine } from "./authorized-keys-plan.js";

/** The keys given to the task, parsed; throws a message naming the parameter. */
export function keysOf(p: Pick<AuthorizedKeyParams, "key" | "options">): KeyLine[] {
  const lines = (typeof p.key === "string" ? [p.key] : p.key).flatMap((k) => k.split("\n"));
  const keys = lines.map((line) => parseKeyLine(line)).filter((k): k is KeyLine => !!k);
  if (!keys.length) throw new Error("no key in it");
  return p.options === undefined ? keys : keys.map((k) => ({ ...k, options: p.options as string }));
}

function keysProblem(p: AuthorizedKeyParams): string | undefined {
  try {
    keysOf(p);
  } catch (error) {
    return `parameter "key" is invalid: ${(error as Error).message}`;
  }
  if (
    p.options !== undefined &&
    (/[\s\n"]/.test(p.options.replace(/"(?:[^"\\]|\\.)*"/g, "")) || p.options === "" || p.options.startsWith("#"))
  ) {
    return `parameter "options" must be comma-separated key options without unquoted spaces or an unbalanced quote, not starting with "#", e.g. 'from="10.0.0.1",no-pty'`;
  }
  if (p.exclusive && p.state === "absent") return `parameter "exclusive" only applies with state "present"`;
  return undefined;
}

/** The ~/.ssh directory as found, and the ids it must belong to. */
interface SshDir {
  readonly dir: string;
  readonly st: NodeStat;
  readonly uid: number;
  readonly gid: number;
}

function dirSetup(host: TaskHost, { dir, st, uid, gid }: SshDir): { command?: Command; change?: string } {
  if (st.kind === "absent") return { command: sh`mkdir -m 0700 -- ${dir} && chown ${`${uid}:${gid}`} -- ${dir}`, change: `create ${dir}` };
  if (st.kind !== "dir")
    throw host.fail(
      `Cannot manage authorized keys: ${dir} is a ${st.kind === "link" ? "symbolic link" : "special file"}`,
      "remove it; bosun never follows links in a user's home",
    );
  const cmds: Command[] = [];
  if (st.mode !== "0700") cmds.push(sh`chmod 0700 -- ${dir}`);
  if (st.uid !== uid || st.gid !== gid) cmds.push(sh`chown -h ${`${uid}:${gid}`} -- ${dir}`);
  if (!cmds.length) return {};
  return { command: { text: cmds.map((c) => c.text).join(" && ") }, change: `${dir}: mode 0700, owner ${uid}:${gid}` };
}

/** Parameters for {@link authorizedKey}. */
export const authorizedKeyParams = taskParams({
  user: required(account, "The user whose `~/.ssh/authorized_keys` is edited (must exist, with its home)."),
  key: required(
    typed<string | readonly string[]>({ anyOf: [nonEmpty, { ...list(nonEmpty), minItems: 1 }] }),
    "Public key lines (`ssh-ed25519 AAAA... comment`), one string with several lines, or a list; a line may start with its own options.",
  ),
  state: optional(oneOf("present", "absent"), {
    description: "`present` or `absent`: remove these keys (matched by key, whatever their options).",
    default: "present",
  }),
  exclusive: optional(bool, {
    description: "Present: the file holds exactly these keys; every other key and comment is removed.",
    default: false,
  }),
  options: optional(str, 'Options for every key given here (`from="10.0.0.0/8",no-agent-forwarding`), replacing the lines\' own options.'),
});
/** Parameters for {@link authorizedKey}. */
export type AuthorizedKeyParams = Static<typeof authorizedKeyParams>;

/**
 * Ensure public keys are in a user's authorized_keys (or are not; or are the only ones). `.ssh` is
 * made 0700 and the file 0600, both owned by the user; the file is written atomically and only if
 * nobody changed it since it was read. Links in the user's home are refused, never followed.
 * One command to check, one to apply.
 * @example authorizedKey({ user: "deploy", key: readFileSync("keys/alice.pub", "utf8") })
 * @example authorizedKey({ user: "deploy", key: [alice, bob], exclusive: true })
 * @example authorizedKey({ user: "backup", key: ciKey, options: 'from="10.0.0.0/8",no-pty' })
 * @example authorizedKey({ user: "deploy", key: oldKey, state: "absent" })
 */
export const authorizedKey = defineTask<AuthorizedKeyParams>({
  id: "access.authorizedKey",
  description:
    "Public keys are present in (or absent from, or exactly) a user's ~/.ssh/authorized_keys; .ssh 0700, file 0600, owned by the user.",
  title: (p) => `authorized keys of ${p.user}${p.state === "absent" ? " (remove)" : p.exclusive ? " (exclusive)" : ""}`,
  schema: authorizedKeyParams,
  validate: keysProblem,
  async check(host, p) {
    const keys = keysOf(p);
    const state = p.state ?? "present";
    const st = await host.fact(authorizedKeysFile, p.user);
    if (st.user === "absent") {
      if (state === "absent") return unchanged(`user ${p.user} does not exist`);
      return changed([], {
        message: `add ${keys.length} key(s) for ${p.user}`,
        needs: [
          {
            doing: `Cannot manage authorized keys of "${p.user}"`,
            missing: `user ${p.user} does not exist`,
            hint: "create the user first with ensureUser",
          },
        ],
      });
    }
    const dir = `${st.home}/.ssh`;
    const file = `${dir}/authorized_keys`;
    if (st.homeStat.kind !== "dir") {
      if (state === "absent") return unchanged(`${p.user} has no home directory`);
      throw host.fail(
        `Cannot manage authorized keys of "${p.user}": home ${st.home} is ${st.homeStat.kind === "absent" ? "missing" : `a ${st.homeStat.kind}`}`,
        "create it with ensureUser({ createHome: true })",
      );
    }
    if (st.fileStat.kind === "link" || st.fileStat.kind === "other") {
      throw host.fail(
        `Cannot manage authorized keys: ${file} is ${st.fileStat.kind === "link" ? "a symbolic link" : "not a regular file"}`,
        "remove it; bosun never follows links in a user's home",
      );
    }
    if (state === "absent" && st.fileStat.kind === "absent") return unchanged(`${file} does not exist`);
    const edit = editAuthorizedKeys(st.content, { keys, state, exclusive: p.exclusive ?? false });
    const contentChanges = st.fileStat.kind === "absent" ? state === "present" : edit.content !== st.content;
    const dirChange = state === "present" || contentChanges ? dirSetup(host, { dir, st: st.dirStat, uid: st.uid, gid: st.gid }) : {};
    const changes: string[] = [];
    if (dirChange.change) changes.push(dirChange.change);
    for (const [what, list] of [
      ["add", edit.added],
      ["update", edit.replaced],
      ["remove", edit.removed],
    ] as const) {
      if (list.length) changes.push(`${what} ${list.map(describeKey).join(", ")}`);
    }
    const owner = { owner: String(st.uid), group: String(st.gid) };
    let write: Command | undefined;
    if (contentChanges) {
      if (!edit.added.length && !edit.replaced.length && !edit.removed.length) changes.push("drop duplicate lines");
      write = atomicWrite(file, edit.content, {
        mode: "0600",
        ...owner,
        expect: st.fileStat.kind === "absent" ? "absent" : { sha256: sha256(st.content ?? "") },
      });
    } else if (st.fileStat.kind === "file" && (st.fileStat.mode !== "0600" || st.fileStat.uid !== st.uid || st.fileStat.gid !== st.gid)) {
      write = sh`chmod 0600 -- ${file} && chown -h ${`${st.uid}:${st.gid}`} -- ${file}`;
      changes.push(`${file}: mode 0600, owner ${st.uid}:${st.gid}`);
    }
    if (!dirChange.command && !write) return unchanged(`${file} is up to date`);
    // One command: fix .ssh, then write the file (the write carries the content on stdin).
    const parts = [dirChange.command, write].filter((c): c is Command => !!c);
    const command: Command = {
      text: parts.map((c) => (c.stdin === undefined ? `{ ${c.text}\n} || exit 1` : c.text)).join("\n"),
      stdin: write?.stdin,
      label: write?.label ?? `fix ${dir}`,
    };
    return changed([command], {
      message: `${p.user}: ${changes.join("; ")}`,
      diff: { label: file, before: st.content, after: contentChanges ? edit.content : st.content },
    });
  },
});

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
