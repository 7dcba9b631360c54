/**
 * Which authentication methods a login tries, and in what order: ssh2's own (password, key, agent),
 * without the "none" request ssh2 (and OpenSSH) sends first to learn which methods the server
 * takes. That answer changes nothing here, as every configured method is tried anyway, and it costs
 * a round trip on every login. One list for a run's own logins (ssh.ts) and for handshakes started
 * ahead (early-handshake.ts). No ssh2 here: a launcher loads this before ssh2.
 */

/** What a login has to authenticate with (ssh2's connect settings of the same names). */
export interface Credentials {
  readonly password?: string;
  readonly privateKey?: string | Buffer;
  readonly passphrase?: string | Buffer;
  readonly agent?: string;
}

/** The methods to try, by name, for ssh2's `authHandler`. */
export function authMethods(config: Pick<Credentials, "password" | "privateKey" | "agent">): ("password" | "publickey" | "agent")[] {
  const methods: ("password" | "publickey" | "agent")[] = [];
  if (config.password !== undefined) methods.push("password");
  if (config.privateKey !== undefined) methods.push("publickey");
  if (config.agent) methods.push("agent");
  return methods;
}

/** The same methods as ssh2's attempt objects for `username` (a client started without the credentials gets them here). */
export function authAttempts(username: string, credentials: Credentials): object[] {
  return authMethods(credentials).map((type) =>
    type === "password"
      ? { type, username, password: credentials.password }
      : type === "publickey"
        ? { type, username, key: credentials.privateKey, passphrase: credentials.passphrase }
        : { type, username, agent: credentials.agent },
  );
}
