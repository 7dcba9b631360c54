/** File-system facts: what is at a path, its mode, owner, checksum and (when asked) content. */
import { defineFact } from "../core/fact.js";
import { sh, raw } from "../core/command.js";

/** What is at a path. */
export type PathState =
  | { readonly kind: "absent" }
  | { readonly kind: "file"; readonly mode: string; readonly owner: string; readonly group: string; readonly size: number; readonly sha256: string; readonly content?: string }
  | { readonly kind: "dir"; readonly mode: string; readonly owner: string; readonly group: string }
  | { readonly kind: "link"; readonly target: string }
  | { readonly kind: "other"; readonly type: string; readonly mode: string; readonly owner: string; readonly group: string };

/** Argument of {@link pathState}. */
export interface PathStateQuery {
  /** Absolute path. */
  readonly path: string;
  /** Also return the content of a regular file (up to `maxContentBytes`). */
  readonly content?: boolean;
  /** Largest content returned (1 MiB). */
  readonly maxContentBytes?: number;
}

/** Normalise stat's `%a` ("755") to four digits ("0755"). */
export function normaliseMode(mode: string): string {
  return mode.padStart(4, "0");
}

/** One command that stats a path, checksums a regular file and optionally prints its content. */
export const pathState = defineFact<PathStateQuery, PathState>({
  id: "files.pathState",
  command: (q) => {
    const max = q.maxContentBytes ?? 1048576;
    const cat = q.content ? sh`if [ "$(stat -c %s -- "$p")" -le ${max} ]; then cat -- "$p"; fi` : raw(":");
    return sh`p=${q.path}; if [ -L "$p" ]; then printf 'link\\n'; readlink -- "$p"; elif [ -f "$p" ]; then printf 'file\\t'; stat --printf '%a\\t%U\\t%G\\t%s\\n' -- "$p" && sha256sum < "$p" | cut -d' ' -f1 && ${cat}; elif [ -d "$p" ]; then printf 'dir\\t'; stat --printf '%a\\t%U\\t%G\\n' -- "$p"; elif [ -e "$p" ]; then printf 'other\\t'; stat --printf '%a\\t%U\\t%G\\t%F\\n' -- "$p"; else echo absent; fi`;
  },
  parse: (r, q) => {
    if (r.code !== 0) throw new Error(`Cannot stat ${q.path}: ${r.stderr.trim() || `exit ${r.code}`}`);
    const nl = r.stdout.indexOf("\n");
    const head = r.stdout.slice(0, nl < 0 ? undefined : nl);
    const rest = nl < 0 ? "" : r.stdout.slice(nl + 1);
    const [kind, mode = "", owner = "", group = "", extra = ""] = head.split("\t");
    switch (kind) {
      case "absent":
        return { kind: "absent" };
      case "link":
        return { kind: "link", target: rest.endsWith("\n") ? rest.slice(0, -1) : rest };
      case "dir":
        return { kind: "dir", mode: normaliseMode(mode), owner, group };
      case "file": {
        const nl2 = rest.indexOf("\n");
        const sha256 = rest.slice(0, nl2);
        const content = q.content ? rest.slice(nl2 + 1) : undefined;
        return { kind: "file", mode: normaliseMode(mode), owner, group, size: Number(extra), sha256, content };
      }
      default:
        return { kind: "other", type: extra, mode: normaliseMode(mode), owner, group };
    }
  },
});
