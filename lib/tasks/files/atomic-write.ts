/**
 * The atomic write path: content streams on stdin to a temp file beside the target, is checked
 * (size and checksum, so a cut connection never installs half a file), given owner and mode,
 * optionally validated, then renamed into place. Where rename is impossible (a bind-mounted file
 * in a container: EBUSY) it falls back to an in-place write and says so on stderr.
 */
import { createHash } from "node:crypto";
import path from "node:path";
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
  /**
   * A command run on the temp file before it goes live; `%s` becomes the temp file's path, already
   * quoted (`visudo -cf %s`, not `'%s'`). It is shell text written by the playbook author.
   */
  readonly validate?: string;
  /** Create missing parent directories. */
  readonly createParents?: boolean;
  /**
   * What the target must still be when the write happens (the state the new content was computed
   * from): a regular file with this sha256, or absent. Otherwise nothing is written and the
   * command fails, so that an edit never overwrites a concurrent change.
   */
  readonly expect?: { readonly sha256: string } | "absent";
}

/** The marker the write prints on stderr when it had to write in place. */
export const IN_PLACE_MARKER = "bosun: rename impossible (busy), wrote in place";

function expectation(expect: AtomicWriteOptions["expect"]): Command {
  if (expect === undefined) return raw("");
  if (expect === "absent") {
    return sh`if [ -e "$d" ] || [ -L "$d" ]; then printf 'bosun: %s appeared since it was read; not overwriting it (run again)\\n' "$d" >&2; exit 1; fi; `;
  }
  return sh`if [ -L "$d" ] || ! [ -f "$d" ] || [ "$(sha256sum < "$d" | cut -d' ' -f1)" != ${expect.sha256} ]; then printf 'bosun: %s changed since it was read; not overwriting it (run again)\\n' "$d" >&2; exit 1; fi; `;
}

/** One command that installs `content` at `dest` (an absolute path) atomically. */
export function atomicWrite(dest: string, content: string | Buffer | Secret, options: AtomicWriteOptions = {}): Command {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === "string" ? content : reveal(content));
  const sha = createHash("sha256").update(bytes).digest("hex");
  // The directory is computed here rather than with `$(dirname ...)`, which would drop trailing newlines of a name.
  const dir = path.posix.dirname(dest);
  const parents = options.createParents ? sh`mkdir -p -- "$D" || exit 1; ` : raw("");
  const account = `${options.owner ?? ""}${options.group ? `:${options.group}` : ""}`;
  const owner = account ? sh`chown -- ${account} "$t" && ` : raw("");
  const mode = options.mode ? sh`chmod ${options.mode} -- "$t" && ` : raw("");
  const validate = options.validate
    ? sh`{ ${raw(options.validate.replace(/%s/g, '"$t"'))}
} >&2 </dev/null || { printf 'bosun: validate command failed; %s is unchanged\\n' "$d" >&2; exit 1; }; `
    : raw("");
  const inPlace = sh`cat -- "$t" > "$d" && chmod --reference="$t" -- "$d" && chown --reference="$t" -- "$d" && echo ${IN_PLACE_MARKER} >&2`;
  const text =
    sh`d=${dest}; D=${dir}; ${parents}${expectation(options.expect)}t=$(mktemp -- "$D/.bosun.XXXXXX") || exit 1; trap 'rm -f -- "$t"' EXIT; trap 'rm -f -- "$t"; exit 1' HUP INT TERM PIPE; cat > "$t" && [ "$(sha256sum < "$t" | cut -d' ' -f1)" = ${sha} ] || { printf 'bosun: content of %s arrived incomplete; the target is unchanged\\n' "$d" >&2; exit 1; }; { if [ -e "$d" ]; then chown --reference="$d" -- "$t" 2>/dev/null; chmod --reference="$d" -- "$t"; else chmod 0644 -- "$t"; fi && ${owner}${mode}:; } || exit 1; ${validate}if ! e=$(mv -fT -- "$t" "$d" 2>&1); then case $e in *busy*|*Busy*) ${inPlace} ;; *) printf '%s\\n' "$e" >&2; exit 1 ;; esac; fi`
      .text;
  return { text, stdin: bytes, label: `write ${dest} (${bytes.length} bytes, atomic)` };
}
