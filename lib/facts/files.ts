/** File-system facts: what is at a path, its mode, owner, checksum and (when asked) content. */
import { createHash } from "node:crypto";
import path from "node:path";
import { defineFact } from "../core/fact.js";
import { sh, raw } from "../core/command.js";

/** Owner and group of a path, by name and by numeric id. */
export interface Ownership {
  /** Owner name (`UNKNOWN` when the uid has no name). */
  readonly owner: string;
  /** Group name (`UNKNOWN` when the gid has no name). */
  readonly group: string;
  /** Numeric owner id, as text. */
  readonly uid: string;
  /** Numeric group id, as text. */
  readonly gid: string;
}

/** Why a file's content was not returned although it was asked for. */
export type ContentOmitted = "too-large" | "not-text";

/** What is at a path. Links are reported as links (never followed). */
export type PathState =
  | { readonly kind: "absent"; /** Whether the parent directory exists. */ readonly parentExists: boolean }
  | (Ownership & {
      readonly kind: "file";
      /** Four-digit octal mode. */
      readonly mode: string;
      /** Size in bytes. */
      readonly size: number;
      /** sha256 of the content, hex. */
      readonly sha256: string;
      /** The content as UTF-8 text, when asked for and it is text no larger than the limit. */
      readonly content?: string;
      /** Why `content` is missing although it was asked for. */
      readonly contentOmitted?: ContentOmitted;
    })
  | (Ownership & {
      readonly kind: "dir";
      readonly mode: string;
      /** Whether it has no entries (only when asked). */ readonly empty?: boolean;
    })
  | (Ownership & { readonly kind: "link"; /** What the link points to, verbatim. */ readonly target: string })
  | (Ownership & {
      readonly kind: "other";
      /** `fifo`, `socket`, `character special file`... */ readonly type: string;
      readonly mode: string;
    });

/** Argument of {@link pathState}. */
export interface PathStateQuery {
  /** Absolute path. */
  readonly path: string;
  /** Also return the content of a regular file (up to `maxContentBytes`). */
  readonly content?: boolean;
  /** Largest content returned (1 MiB). */
  readonly maxContentBytes?: number;
  /** Also say whether a directory is empty. */
  readonly dirEmpty?: boolean;
}

/** Normalise stat's `%a` ("755") or a user's mode ("644") to four digits ("0644"). */
export function normaliseMode(mode: string): string {
  return mode.padStart(4, "0");
}

/** Whether `wanted` (a name or a numeric id) names this owner or group. */
export function sameAccount(wanted: string, name: string, id: string): boolean {
  return wanted === name || wanted === id;
}

const DEFAULT_MAX_CONTENT = 1048576;

/**
 * One command that says what is at a path (without following a link), with owner, group and mode,
 * checksums a regular file and optionally prints its content or whether a directory is empty.
 * Spawns few programs: `stat` and `sha256sum` for a file (plus `cat` for its content, the size test
 * reusing stat's `%s`), `stat` and `readlink` for a link (stat's `%N` would spare readlink, but its
 * quoting is GNU's alone: uutils' stat prints names unescaped), `stat` for a directory (plus `find`
 * when asked whether it is empty), none for an absent path.
 */
export const pathState = defineFact<PathStateQuery, PathState>({
  id: "files.pathState",
  command: (q) => {
    const max = q.maxContentBytes ?? DEFAULT_MAX_CONTENT;
    // "${s##*[!0-9]}" is stat's last field, %s: the size, without running stat again.
    const cat = q.content ? sh`if [ "\${s##*[!0-9]}" -le ${max} ]; then cat -- "$p"; fi` : raw(":");
    // find has no `--`: a relative path gets "./" so that it cannot read as an option.
    const findPath = q.path.startsWith("/") ? q.path : `./${q.path}`;
    const empty = q.dirEmpty
      ? sh`if e=$(find ${findPath} -mindepth 1 -maxdepth 1 -print -quit 2>/dev/null); then if [ -z "$e" ]; then echo empty; else echo full; fi; else echo unknown; fi`
      : raw("echo");
    const parent = path.posix.dirname(q.path);
    return sh`p=${q.path}; if [ -L "$p" ]; then printf 'link\\t'; stat --printf '%U\\t%G\\t%u\\t%g\\n' -- "$p" && readlink -- "$p"; elif [ -f "$p" ]; then printf 'file\\t'; s=$(stat --printf '%a\\t%U\\t%G\\t%u\\t%g\\t%s' -- "$p") && printf '%s\\n' "$s" && sha256sum < "$p" && ${cat}; elif [ -d "$p" ]; then printf 'dir\\t'; stat --printf '%a\\t%U\\t%G\\t%u\\t%g\\t' -- "$p" && ${empty}; elif [ -e "$p" ]; then printf 'other\\t'; stat --printf '%a\\t%U\\t%G\\t%u\\t%g\\t%F\\n' -- "$p"; elif [ -d ${parent} ]; then printf 'absent\\tparent\\n'; else printf 'absent\\tnoparent\\n'; fi`;
  },
  parse: (r, q) => {
    if (r.code !== 0) throw new Error(`Cannot stat ${q.path}: ${r.stderr.trim() || `exit ${r.code}`}`);
    const nl = r.stdout.indexOf("\n");
    const head = r.stdout.slice(0, nl < 0 ? undefined : nl);
    const rest = nl < 0 ? "" : r.stdout.slice(nl + 1);
    const [kind = "", ...fields] = head.split("\t");
    if (kind === "absent") return { kind: "absent", parentExists: fields[0] !== "noparent" };
    if (kind === "link") {
      const [owner = "", group = "", uid = "", gid = ""] = fields;
      return { kind: "link", owner, group, uid, gid, target: rest.endsWith("\n") ? rest.slice(0, -1) : rest };
    }
    const [mode = "", owner = "", group = "", uid = "", gid = "", extra = ""] = fields;
    const common = { mode: normaliseMode(mode), owner, group, uid, gid };
    switch (kind) {
      case "dir":
        return { kind: "dir", ...common, ...(extra === "empty" || extra === "full" ? { empty: extra === "empty" } : {}) };
      case "file": {
        const nl2 = rest.indexOf("\n");
        // sha256sum reading stdin prints "<64 hex>  -".
        const sha256 = /^([0-9a-f]{64}) {2}-$/.exec(rest.slice(0, nl2 < 0 ? undefined : nl2))?.[1] ?? "";
        if (!sha256) throw new Error(`Cannot read ${q.path}: ${r.stderr.trim() || "no checksum (permission denied?)"}`);
        const size = Number(extra);
        if (!q.content) return { kind: "file", ...common, size, sha256 };
        if (size > (q.maxContentBytes ?? DEFAULT_MAX_CONTENT))
          return { kind: "file", ...common, size, sha256, contentOmitted: "too-large" };
        const content = rest.slice(nl2 + 1);
        // The content came back as UTF-8 text: only a faithful copy (same checksum) is returned.
        const faithful = createHash("sha256").update(content, "utf8").digest("hex") === sha256;
        return faithful
          ? { kind: "file", ...common, size, sha256, content }
          : { kind: "file", ...common, size, sha256, contentOmitted: "not-text" };
      }
      case "other":
        return { kind: "other", ...common, type: extra };
      default:
        throw new Error(`Cannot stat ${q.path}: unexpected output ${JSON.stringify(head.slice(0, 80))}`);
    }
  },
});
