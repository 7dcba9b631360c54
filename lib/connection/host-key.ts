/** Host key verification for ssh2 against a known_hosts file: strict, accept-new, or off. */
import os from "node:os";
import path from "node:path";
import type { HostKeyPolicy } from "../core/connection.js";
import { appendKnownHost, entriesFor, fingerprint, keyTypeOf, knownHostName, readKnownHosts } from "./known-hosts.js";

/** Why a host key was refused, for the error message. */
export interface HostKeyRefusal {
  /** What went wrong. */
  readonly reason: string;
  /** How to fix it. */
  readonly hint: string;
}

/** A verifier for one connection attempt; `refusal` explains a rejection afterwards. */
export interface HostKeyVerifier {
  /** Host key algorithms to prefer, so the server offers a key type we know. */
  readonly preferredAlgorithms?: string[];
  /** ssh2's hostVerifier callback. */
  verify(key: Buffer, done: (ok: boolean) => void): void;
  /** Set when the key was refused. */
  refusal?: HostKeyRefusal;
}

/** Default known_hosts path. */
export function defaultKnownHostsPath(): string {
  return path.join(os.homedir(), ".ssh", "known_hosts");
}

function algorithmsFor(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t === "ssh-rsa") out.push("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    else out.push(t);
  }
  return [...new Set(out)];
}

/** Where a verifier checks keys: the host, its port, the policy and the known_hosts file. */
export interface HostKeyTarget {
  /** Host name or address as connected to. */
  readonly host: string;
  /** SSH port (known_hosts writes `[host]:port` unless 22). */
  readonly port: number;
  /** What to do with an unknown or changed key. */
  readonly policy: HostKeyPolicy;
  /** The known_hosts file (the user's by default). */
  readonly knownHostsPath?: string;
}

/** Build a verifier for host:port under a policy. */
export async function hostKeyVerifier(target: HostKeyTarget): Promise<HostKeyVerifier> {
  const { host, port, policy, knownHostsPath = defaultKnownHostsPath() } = target;
  const name = knownHostName(host, port);
  const known = policy === "off" ? [] : entriesFor(await readKnownHosts(knownHostsPath), name);
  const trusted = known.filter((e) => !e.revoked);
  const verifier: HostKeyVerifier = {
    preferredAlgorithms: trusted.length ? algorithmsFor(trusted.map((e) => e.type)) : undefined,
    verify(key, done) {
      if (policy === "off") return done(true);
      const offered = key.toString("base64");
      const type = keyTypeOf(key);
      if (known.some((e) => e.revoked && e.key === offered)) {
        verifier.refusal = {
          reason: `the host key ${fingerprint(offered)} is marked @revoked in ${knownHostsPath}`,
          hint: "investigate before connecting",
        };
        return done(false);
      }
      if (trusted.some((e) => e.key === offered)) return done(true);
      if (trusted.length > 0) {
        const expected = trusted.map((e) => `${fingerprint(e.key)} (${e.type})`).join(", ");
        verifier.refusal = {
          reason: `host key mismatch for ${name}: known_hosts has ${expected}, the host offers ${fingerprint(offered)} (${type}). This may be an attack, or the host was rebuilt`,
          hint: `if the host was rebuilt, remove the old key with \`ssh-keygen -R '${name}' -f ${knownHostsPath}\` and run again with bosun_host_key_checking=accept-new`,
        };
        return done(false);
      }
      if (policy === "accept-new") {
        appendKnownHost(knownHostsPath, { name, type, keyBase64: offered }).then(
          () => done(true),
          () => done(false),
        );
        return;
      }
      verifier.refusal = {
        reason: `host key for ${name} is not in ${knownHostsPath} (the host offers ${fingerprint(offered)} (${type}))`,
        hint: `verify the fingerprint, then add it with \`ssh-keyscan -p ${port} ${host} >> ${knownHostsPath}\` or run once with bosun_host_key_checking=accept-new`,
      };
      return done(false);
    },
  };
  return verifier;
}
