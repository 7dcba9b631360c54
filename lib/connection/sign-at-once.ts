/**
 * Public key authentication in one round trip. ssh2 first asks the server whether it would take a
 * key (a USERAUTH_REQUEST without a signature) and signs only once the server says yes; RFC 4252
 * section 7 lets a client send the signed request at once, which OpenSSH answers with success or
 * failure just the same. A login then takes one round trip fewer, as the key is always signed anyway.
 * This wraps the client's protocol object (ssh2 1.x's `_protocol.authPK`) so that a request for a
 * private key the client holds goes out signed; an agent's keys (the agent signs) keep ssh2's two
 * steps. Where ssh2 has no such object, nothing changes.
 */
import type { Client } from "ssh2";

/** The hash each RSA signature algorithm signs with (ssh2's own pairs); other key types choose their own. */
const HASH_OF: Readonly<Record<string, string>> = { "rsa-sha2-512": "sha512", "rsa-sha2-256": "sha256", "ssh-rsa": "sha1" };

interface ParsedKey {
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}
type Sign = (data: Buffer, send: (signature: Buffer) => void) => void;
type AuthPK = (username: string, key: unknown, keyAlgo?: string | Sign, sign?: Sign) => void;

const isParsedPrivateKey = (key: unknown): key is ParsedKey =>
  typeof (key as Partial<ParsedKey> | null)?.isPrivateKey === "function" && (key as ParsedKey).isPrivateKey();

/** Make `client` (connecting: its protocol exists once connect() was called) send public key requests signed. */
export function signPublicKeyAtOnce(client: Client): void {
  const protocol = (client as unknown as { _protocol?: { authPK?: AuthPK } })._protocol;
  const authPK = protocol?.authPK?.bind(protocol);
  if (!protocol || !authPK) return;
  protocol.authPK = (username, key, keyAlgo, sign) => {
    if (sign !== undefined || typeof keyAlgo === "function" || !isParsedPrivateKey(key)) return authPK(username, key, keyAlgo, sign);
    authPK(username, key, keyAlgo, (data, send) => {
      const signature = key.sign(data, keyAlgo ? HASH_OF[keyAlgo] : undefined);
      if (signature instanceof Error) client.emit("error", Object.assign(signature, { level: "client-authentication" }));
      else send(signature);
    });
  };
}
