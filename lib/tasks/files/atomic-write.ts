/**
 * The atomic write path: content streams on stdin to a temp file beside the target, is checked
 * (size and checksum, so a cut connection never installs half a file), optionally validated,
 * given owner and mode, then renamed into place. Where rename is impossible (a bind-mounted file
 * in a container: EBUSY) it falls back to an in-place write and says so on stderr.
 */
import { createHash } from "node:crypto";
import { sh, raw, type Command } from "../../core/command.js";
import type { Secret } from "../../core/secrets.js";
import { reveal } from "../../core/secrets.js";

/** Options of {@link atomicWrite}. */
export interface AtomicWriteOptions {
  /** Octal mode; when omitted an existing file keeps its mode, a new one gets 0644. */
  readonly mode?: string;
  /** Owner; when omitted an existing file keeps its owner. */
  readonly owner?: string;
  /** Group; when omitted an existing file keeps its group. */
  readonly group?: string;
  /** A command run on the temp file before it goes live; `%s` is the temp file's path (`visudo -cf %s`). */
  readonly validate?: string;
  /** Create missing parent directories. */
  readonly createParents?: boolean;
}

/** The marker the write prints on stderr when it had to write in place. */
export const IN_PLACE_MARKER = "bosun: rename impossible (busy), wrote in place";

/** One command that installs `content` at `dest` atomically. */
export function atomicWrite(dest: string, content: string | Buffer | Secret, options: AtomicWriteOptions = {}): Command {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === "string" ? content : reveal(content));
  const sha = createHash("sha256").update(bytes).digest("hex");
  const parents = options.createParents ? sh`mkdir -p -- "$(dirname -- "$d")" && ` : raw("");
  const owner = options.owner || options.group ? sh`chown -- ${`${options.owner ?? ""}${options.group ? `:${options.group}` : ""}`} "$t" && ` : raw("");
  const keep = sh`if [ -e "$d" ]; then chown --reference="$d" -- "$t" 2>/dev/null; chmod --reference="$d" -- "$t"; else chmod 0644 -- "$t"; fi && `;
  const mode = options.mode ? sh`chmod ${options.mode} -- "$t" && ` : raw("");
  const validate = options.validate ? raw(`{ ${options.validate.replace(/%s/g, '"$t"')} ; } >&2 && `) : raw("");
  const text = sh`d=${dest}; ${parents}t=$(mktemp -- "$(dirname -- "$d")/.bosun.XXXXXX") && trap 'rm -f -- "$t"' EXIT HUP INT TERM && cat > "$t" && [ "$(sha256sum < "$t" | cut -d' ' -f1)" = ${sha} ] || { echo "bosun: content of $d arrived incomplete; the target is unchanged" >&2; exit 1; }; ${keep}${owner}${mode}${validate}if ! e=$(mv -f -- "$t" "$d" 2>&1); then case $e in *busy*|*Busy*) cat -- "$t" > "$d" && echo ${IN_PLACE_MARKER} >&2 ;; *) echo "$e" >&2; exit 1 ;; esac; fi`.text;
  return { text, stdin: bytes, label: `write ${dest} (${bytes.length} bytes, atomic)` };
}
