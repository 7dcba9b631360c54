/**
 * A user's `~/.ssh/authorized_keys` and what it needs: the account (uid, gid, home), the state of
 * the home, `.ssh` and the file (links are reported, never followed) and the file's content. One command.
 */
import { raw, sh } from "../core/command.js";
import { defineFact } from "../core/fact.js";
import { parseSections, parseStatLine, prefixedContent, section, sectionedCommand, statLine, unprefix, type NodeStat } from "./access.js";

/** What {@link authorizedKeysFile} returns. */
export type AuthorizedKeysState =
  | { readonly user: "absent" }
  | {
      readonly user: "present";
      /** Numeric user id. */
      readonly uid: number;
      /** Numeric primary group id. */
      readonly gid: number;
      /** Home directory. */
      readonly home: string;
      /** The home directory. */
      readonly homeStat: NodeStat;
      /** `<home>/.ssh`. */
      readonly dirStat: NodeStat;
      /** `<home>/.ssh/authorized_keys`. */
      readonly fileStat: NodeStat;
      /** The file's content when it is a regular file. */
      readonly content?: string;
    };

/** The authorized_keys file of a user, by login name. */
export const authorizedKeysFile = defineFact<string, AuthorizedKeysState>({
  id: "access.authorizedKeysFile",
  command: (user) =>
    sectionedCommand([
      ["passwd", sh`u=${user}; e=$(getent passwd -- "$u") && printf '%s\\n' "$e"`],
      ["home", sh`h=$(printf '%s\\n' "$e" | cut -d: -f6); s="$h/.ssh"; f="$s/authorized_keys"; ${statLine("h")}`],
      ["dir", statLine("s")],
      ["file", statLine("f")],
      ["content", sh`if [ -f "$f" ] && ! [ -L "$f" ]; then ${prefixedContent("f")}; else ${raw(":")}; fi`],
    ]),
  parse: (r, user) => {
    const sections = parseSections(r.stdout);
    const passwd = section(sections, "passwd", r.stderr);
    if (passwd.code !== 0) return { user: "absent" };
    const [, , uid = "", gid = "", , home = ""] = passwd.text.replace(/\n$/, "").split(":");
    if (!/^\d+$/.test(uid) || !home) throw new Error(`Cannot read user "${user}": unexpected passwd entry`);
    const fileStat = parseStatLine(section(sections, "file", r.stderr).text);
    const content = section(sections, "content", r.stderr);
    if (content.code !== 0) throw new Error(`Cannot read ${home}/.ssh/authorized_keys: ${r.stderr.trim() || `exit ${content.code}`}`);
    return {
      user: "present",
      uid: Number(uid),
      gid: Number(gid),
      home,
      homeStat: parseStatLine(section(sections, "home", r.stderr).text),
      dirStat: parseStatLine(section(sections, "dir", r.stderr).text),
      fileStat,
      ...(fileStat.kind === "file" ? { content: unprefix(content.text) } : {}),
    };
  },
});
