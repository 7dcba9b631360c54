/** Group facts: a group's entry as `getent group` reports it. */
import { sh } from "../core/command.js";
import { defineFact } from "../core/fact.js";

/** A group as the host sees it. */
export type GroupAccount =
  | { readonly exists: false }
  | {
      readonly exists: true;
      /** Group name. */
      readonly name: string;
      /** Numeric group id. */
      readonly gid: number;
      /** Users listed as members (supplementary membership). */
      readonly members: readonly string[];
      /** Whether the gid is in the system range (below 1000, like `groupadd -r`). */
      readonly system: boolean;
    };

/** Parse one `getent group` line, or the word `absent`. */
export function parseGroupEntry(text: string, name: string): GroupAccount {
  const line = text.replace(/\n$/, "");
  if (line === "absent") return { exists: false };
  const [group = "", , gid = "", members = ""] = line.split(":");
  if (!/^\d+$/.test(gid)) throw new Error(`Cannot read group "${name}": unexpected entry ${JSON.stringify(line.slice(0, 80))}`);
  return { exists: true, name: group, gid: Number(gid), members: members.split(",").filter(Boolean), system: Number(gid) < 1000 };
}

/** A group's entry, by name. */
export const groupAccount = defineFact<string, GroupAccount>({
  id: "access.groupAccount",
  command: (name) => sh`getent group -- ${name} || { r=$?; if [ "$r" = 2 ]; then echo absent; else exit "$r"; fi; }`,
  parse: (r, name) => {
    if (r.code !== 0) throw new Error(`Cannot read group "${name}": ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseGroupEntry(r.stdout, name);
  },
});
