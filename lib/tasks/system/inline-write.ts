/**
 * The atomic write path with the content carried in the command text (base64) instead of stdin,
 * so that several writes and the commands after them (daemon-reload, apt-get update, sysctl -w)
 * merge into the ONE command a changed task may apply. Only for small, non-secret content:
 * command text is visible in the process list.
 */
import { sh, raw, type Command } from "../../core/command.js";
import { Secret } from "../../core/secrets.js";
import { atomicWrite, type AtomicWriteOptions } from "../files/atomic-write.js";

/** Largest content carried inline; `sh -c` takes one argument of at most 128 KiB. */
export const INLINE_WRITE_LIMIT = 48 * 1024;

/**
 * A stdin-less command that installs `content` at `dest` like {@link atomicWrite} (temp file,
 * checksum, mode, validate, rename; in place when rename is impossible). Larger content falls
 * back to atomicWrite itself (content on stdin, a command of its own).
 */
export function inlineWrite(dest: string, content: string | Buffer, options: AtomicWriteOptions = {}): Command {
  if ((content as unknown) instanceof Secret) throw new Error("Cannot write a secret inline: use atomicWrite (stdin)");
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
  const write = atomicWrite(dest, bytes, options);
  if (bytes.length > INLINE_WRITE_LIMIT) return write;
  // The write runs in a subshell: its `exit` and EXIT trap stay inside it.
  return { text: sh`printf %s ${bytes.toString("base64")} | base64 -d | (${raw(write.text)}\n)`.text, label: write.label };
}
