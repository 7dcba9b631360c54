/** Jump hosts (bastions) written like ssh's `-J`: `[ssh://][user@]host[:port]`, several separated by commas. */

/** One hop, as written. */
export interface JumpHost {
  /** Login user on the jump host; absent means "the same user as the target". */
  readonly user?: string;
  /** Address or name of the jump host (IPv6 without brackets). */
  readonly host: string;
  /** Port, when given. */
  readonly port?: number;
}

/** Parse one `[user@]host[:port]`; throws when it is malformed. */
export function parseJumpHost(text: string): JumpHost {
  const match = /^(?:ssh:\/\/)?(?:([^@\s/]+)@)?(?:\[([0-9A-Fa-f:.]+)\]|([^@\s:/[\]]+))(?::([0-9]{1,5}))?\/?$/.exec(text.trim());
  if (!match) throw new Error(`Cannot read jump host ${JSON.stringify(text)}: expected [user@]host[:port]`);
  const [, user, ipv6, name, port] = match;
  const number = port === undefined ? undefined : Number(port);
  if (number !== undefined && (number < 1 || number > 65535))
    throw new Error(`Cannot read jump host ${JSON.stringify(text)}: port ${port} is out of range`);
  return { ...(user ? { user } : {}), host: (ipv6 ?? name)!, ...(number ? { port: number } : {}) };
}

/** Parse `-J`'s comma-separated list, first hop first; `none` means no jump host. */
export function parseJumpHosts(text: string): JumpHost[] {
  if (text.trim().toLowerCase() === "none") return [];
  return text.split(",").map(parseJumpHost);
}
