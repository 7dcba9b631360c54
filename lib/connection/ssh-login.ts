/**
 * How a run logs in to a host: ssh2's connect settings from the host's spec and the host key
 * verifier of this attempt (the key file read, OpenSSH's default identities when none is given, the
 * agent, the methods in auth-methods.ts's order), and the same credentials for a handshake started
 * ahead (early-handshake.ts).
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import type { Config } from "node-ssh";
import ssh2 from "ssh2";
import { UnreachableError } from "../core/errors.js";
import type { SshSpec } from "../core/connection.js";
import { authMethods } from "./auth-methods.js";
import type { LoginSettings } from "./early-handshake.js";
import type { HostKeyVerifier } from "./host-key.js";

/** OpenSSH's default identity files, in its order. */
const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_ecdsa_sk", "id_ed25519_sk", "id_rsa"];

/**
 * With no key or password given, the first of OpenSSH's default identity files that exists and can
 * be read (with the passphrase, when one is set), as ssh tries them; the agent is still tried too.
 */
async function defaultIdentity(passphrase?: string): Promise<string | undefined> {
  for (const name of DEFAULT_IDENTITIES) {
    const text = await readFile(path.join(homedir(), ".ssh", name), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    if (!(ssh2.utils.parseKey(text, passphrase) instanceof Error)) return text;
  }
  return undefined;
}

/** ssh2's (node-ssh's) connect settings for `s`, checking the host key with `verifier`; `address` names the host in errors. */
export async function loginConfig(s: SshSpec, verifier: HostKeyVerifier, address: string): Promise<Config> {
  const config: Config = {
    host: s.host,
    port: s.port,
    username: s.user,
    readyTimeout: s.connectTimeoutMs,
    keepaliveInterval: 15000,
    hostVerifier: (key: Buffer, done: (ok: boolean) => void) => verifier.verify(key, done),
  };
  if (verifier.preferredAlgorithms) config.algorithms = { serverHostKey: verifier.preferredAlgorithms as never };
  if (s.privateKeyPath)
    config.privateKey = await readFile(s.privateKeyPath, "utf8").catch((e: Error) => {
      throw new UnreachableError(`Cannot connect to ${address}: cannot read private key ${s.privateKeyPath}: ${e.message}`);
    });
  if (s.passphrase) config.passphrase = s.passphrase;
  if (s.password) config.password = s.password;
  const agent = s.agent ?? process.env.SSH_AUTH_SOCK;
  if (agent) config.agent = agent;
  if (!s.privateKeyPath && !s.password) {
    const key = await defaultIdentity(s.passphrase);
    if (key) config.privateKey = key;
  }
  const methods = authMethods(config as Parameters<typeof authMethods>[0]);
  if (methods.length) config.authHandler = methods;
  return config;
}

/** The user and credentials of `config` for a handshake started ahead, with `s`'s time limit. */
export function loginSettings(s: SshSpec, config: Config): LoginSettings {
  return {
    username: s.user,
    timeoutMs: s.connectTimeoutMs,
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.privateKey !== undefined ? { privateKey: config.privateKey as string | Buffer } : {}),
    ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
    ...(typeof config.agent === "string" ? { agent: config.agent } : {}),
  };
}
