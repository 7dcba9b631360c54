/**
 * A host entry of an inventory as Ansible's `parse_address` reads it: `name`, `name:port`,
 * `1.2.3.4:port`, `[2001:db8::1]:port`; colons inside a range (`web[1:3]`) or a bare IPv6 address
 * are not a port.
 */

/** A host pattern and the port written after it, if any. */
export interface HostAddress {
  /** The name or address, ranges not yet expanded. */
  readonly pattern: string;
  /** The port after the last `:`, when there is one. */
  readonly port?: number;
}

/** Split `web1:2222` into pattern and port; anything that is not clearly `host:port` is all pattern. */
export function splitHostPort(entry: string): HostAddress {
  const bracketed = /^\[([^\]]*:[^\]]*)\]:([0-9]+)$/.exec(entry);
  if (bracketed && !/^[0-9a-zA-Z]*:[0-9a-zA-Z]*(?::[0-9]+)?$/.test(bracketed[1]!))
    return { pattern: bracketed[1]!, port: Number(bracketed[2]) };
  const outside = entry.replace(/\[[^\]]*\]/g, (range) => "x".repeat(range.length));
  const colons = [...outside].filter((c) => c === ":").length;
  const match = /^(.+):([0-9]+)$/.exec(entry);
  if (colons === 1 && match) return { pattern: match[1]!, port: Number(match[2]) };
  return { pattern: entry };
}
